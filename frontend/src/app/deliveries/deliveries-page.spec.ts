import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { DeliveryDto, DeliveryPageDto } from '@clinic/contracts';

import { buttonNamed } from '../../testing/account-fixtures';
import { DELIVERIES_URL } from '../core/api-paths';
import { DeliveriesPage } from './deliveries-page';

let nextId = 0;

/** By default: a critical alert's email to the nurse that failed for good. */
function delivery(overrides: Partial<DeliveryDto> = {}): DeliveryDto {
  return {
    id: `d-${++nextId}`,
    kind: 'notification',
    notificationId: 'n-1',
    channel: 'EMAIL',
    status: 'failed',
    recipient: { id: 'u-nurse', name: 'Nora Nurse' },
    address: 'nora@clinic.test',
    subject: 'You have a new CRITICAL notification in Clinic',
    attempts: 5,
    lastError: '550 <nora@clinic.test>: mailbox unavailable',
    createdAt: '2026-12-01T08:00:00.000Z',
    sentAt: null,
    ...overrides,
  };
}

describe('DeliveriesPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<DeliveriesPage>;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [DeliveriesPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(DeliveriesPage);
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  const page = () => fixture.nativeElement as HTMLElement;
  const listRequest = (): TestRequest => http.expectOne((request) => request.method === 'GET' && request.url === DELIVERIES_URL);
  const query = (request: TestRequest) =>
    Object.fromEntries(request.request.params.keys().map((key) => [key, request.request.params.get(key)]));
  const rows = () => [...page().querySelectorAll<HTMLElement>('[data-testid="delivery-row"]')];
  const rowOf = (shown: DeliveryDto) => page().querySelector<HTMLElement>(`[data-testid="delivery-row"][data-delivery-id="${shown.id}"]`)!;
  const statusOf = (shown: DeliveryDto) => rowOf(shown).querySelector('[data-testid="status"]')?.textContent?.trim();
  const feedback = () => page().querySelector('[data-testid="deliveries-feedback"]');
  const filterLink = (label: string) =>
    [...page().querySelectorAll<HTMLAnchorElement>('nav[aria-label="Filter deliveries"] a')].find((link) => link.textContent?.trim() === label)!;

  async function answer(request: TestRequest, answered: DeliveryPageDto): Promise<void> {
    request.flush(answered);
    await fixture.whenStable();
  }

  it('lists every delivery at first and tells the admin what the outbox is', async () => {
    const first = listRequest();
    expect(query(first)).toEqual({ limit: '20' });
    await answer(first, { items: [], nextCursor: null });

    expect(page().querySelector('[data-testid="outbox-explained"]')?.textContent).toContain(
      'without an SMTP server (SMTP_URL) or an SMS provider, messages are kept here and in the server log instead of being sent',
    );
    expect(filterLink('All').getAttribute('aria-current')).toBe('page');
    expect(page().textContent).toContain('No email or SMS has been sent yet.');
  });

  it('asks the server only for the status picked, one click away for failures and the outbox', async () => {
    await answer(listRequest(), { items: [], nextCursor: null });
    expect(filterLink('Failed').getAttribute('href')).toBe('/?status=failed');
    expect(filterLink('Outbox').getAttribute('href')).toBe('/?status=outbox');

    fixture.componentRef.setInput('status', 'outbox');
    await fixture.whenStable();

    const request = listRequest();
    expect(query(request)).toEqual({ limit: '20', status: 'outbox' });
    await answer(request, { items: [], nextCursor: null });
    expect(filterLink('Outbox').getAttribute('aria-current')).toBe('page');
    expect(page().textContent).toContain('The outbox is empty.');

    fixture.componentRef.setInput('status', 'not-a-status');
    await fixture.whenStable();
    expect(query(listRequest())).toEqual({ limit: '20' });
  });

  it('shows each delivery in words: channel, who and where to, subject, status, attempts and the last error as plain text', async () => {
    const failed = delivery();
    const outboxSms = delivery({
      channel: 'SMS',
      status: 'outbox',
      address: '+41791234567',
      subject: 'You have a new CRITICAL notification in Clinic — open https://clinic.test/notifications',
      attempts: 1,
      lastError: null,
      sentAt: '2026-12-01T08:00:01.000Z',
    });
    await answer(listRequest(), { items: [failed, outboxSms], nextCursor: null });

    const failedRow = rowOf(failed);
    expect(failedRow.querySelector('th')?.textContent).toContain('Nora Nurse');
    expect(failedRow.querySelector('th')?.textContent).toContain('nora@clinic.test');
    expect(failedRow.querySelector('[data-testid="channel"]')?.textContent?.trim()).toBe('Email');
    expect(failedRow.textContent).toContain('You have a new CRITICAL notification in Clinic');
    expect(statusOf(failed)).toBe('Failed');
    expect(failedRow.textContent).toContain('5 attempts');
    const error = failedRow.querySelector('[data-testid="last-error"]')!;
    expect(error.textContent).toContain('550 <nora@clinic.test>: mailbox unavailable');
    expect(error.querySelector('nora\\@clinic\\.test')).toBeNull();
    expect(failedRow.textContent).toContain('Created');
    expect(failedRow.querySelector('time')?.getAttribute('datetime')).toBe(failed.createdAt);
    expect(failedRow.textContent).not.toContain('Sent ');

    const smsRow = rowOf(outboxSms);
    expect(smsRow.querySelector('[data-testid="channel"]')?.textContent?.trim()).toBe('SMS');
    expect(smsRow.textContent).toContain('+41791234567');
    expect(statusOf(outboxSms)).toBe('Outbox');
    expect(smsRow.textContent).toContain('1 attempt');
    expect(smsRow.querySelector('[data-testid="last-error"]')).toBeNull();
    expect(smsRow.textContent).toContain('Kept');
    expect(smsRow.textContent).not.toContain('Sent');
  });

  it('offers Retry on failed deliveries only, and shows the retried one as queued in its row', async () => {
    const failed = delivery();
    const sent = delivery({ status: 'sent', lastError: null, attempts: 1, sentAt: '2026-12-01T08:00:02.000Z' });
    const queued = delivery({ status: 'queued', attempts: 2, lastError: 'Connection timed out' });
    const outbox = delivery({ status: 'outbox', attempts: 1, lastError: null });
    await answer(listRequest(), { items: [failed, sent, queued, outbox], nextCursor: null });

    expect([sent, queued, outbox].map((other) => buttonNamed(rowOf(other), 'Retry'))).toEqual([undefined, undefined, undefined]);
    const retry = buttonNamed(rowOf(failed), 'Retry')!;
    expect(retry.textContent).toContain('Retry the email to Nora Nurse');

    retry.click();
    await fixture.whenStable();
    expect(buttonNamed(rowOf(failed), 'Retrying')?.disabled).toBe(true);
    const request = http.expectOne({ method: 'POST', url: `${DELIVERIES_URL}/${failed.id}/retry` });
    request.flush({ ...failed, status: 'queued', lastError: null });
    await fixture.whenStable();

    expect(rows().map((row) => row.dataset['deliveryId'])).toEqual([failed.id, sent.id, queued.id, outbox.id]);
    expect(statusOf(failed)).toBe('Queued');
    expect(buttonNamed(rowOf(failed), 'Retry')).toBeUndefined();
    expect(feedback()?.className).toContain('notice');
    expect(feedback()?.textContent).toContain('The email to Nora Nurse is queued again');
    expect(document.activeElement).toBe(rowOf(failed));
  });

  it('explains that a delivery is no longer failed when someone else retried it, and shows its status now', async () => {
    const failed = delivery({ channel: 'SMS', address: '+41791234567' });
    await answer(listRequest(), { items: [failed], nextCursor: null });

    buttonNamed(rowOf(failed), 'Retry')!.click();
    http
      .expectOne({ method: 'POST', url: `${DELIVERIES_URL}/${failed.id}/retry` })
      .flush({ message: 'Delivery is not failed' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();

    expect(feedback()?.className).toContain('alert');
    expect(feedback()?.textContent).toContain('It is no longer failed');
    expect(feedback()?.textContent).toContain('SMS to Nora Nurse');
    await answer(listRequest(), { items: [{ ...failed, status: 'sent', sentAt: '2026-12-01T08:05:00.000Z' }], nextCursor: null });
    expect(statusOf(failed)).toBe('Sent');
    expect(buttonNamed(rowOf(failed), 'Retry')).toBeUndefined();
    expect(feedback()?.textContent).toContain('It is no longer failed');
  });

  it('says so when a delivery to retry no longer exists, and takes it off the list', async () => {
    const gone = delivery();
    const other = delivery();
    await answer(listRequest(), { items: [gone, other], nextCursor: null });

    buttonNamed(rowOf(gone), 'Retry')!.click();
    http.expectOne({ method: 'POST' }).flush({ message: 'Not Found' }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();

    expect(feedback()?.textContent).toContain('The email to Nora Nurse no longer exists.');
    expect(rows().map((row) => row.dataset['deliveryId'])).toEqual([other.id]);
  });

  it('loads older deliveries of the same status below the ones shown, until there are no more', async () => {
    await answer(listRequest(), { items: [], nextCursor: null });
    fixture.componentRef.setInput('status', 'failed');
    await fixture.whenStable();
    const newer = delivery();
    const first = listRequest();
    expect(query(first)).toEqual({ limit: '20', status: 'failed' });
    await answer(first, { items: [newer], nextCursor: 'c-2' });

    buttonNamed(page(), 'Load older deliveries')!.click();
    await fixture.whenStable();
    const older = delivery();
    const more = listRequest();
    expect(query(more)).toEqual({ limit: '20', status: 'failed', cursor: 'c-2' });
    await answer(more, { items: [newer, older], nextCursor: null });

    expect(rows().map((row) => row.dataset['deliveryId'])).toEqual([newer.id, older.id]);
    expect(document.activeElement).toBe(rowOf(older));
    expect(buttonNamed(page(), 'Load older deliveries')).toBeUndefined();
  });

  it('keeps what is shown when older deliveries cannot be loaded, and says why', async () => {
    const shown = delivery();
    await answer(listRequest(), { items: [shown], nextCursor: 'c-2' });

    buttonNamed(page(), 'Load older deliveries')!.click();
    await fixture.whenStable();
    listRequest().flush(null, { status: 0, statusText: 'Unknown Error' });
    await fixture.whenStable();

    expect(rows()).toHaveLength(1);
    expect(page().querySelector('.more-error')?.textContent).toContain('Could not load older deliveries: the server cannot be reached');
    expect(buttonNamed(page(), 'Load older deliveries')).toBeDefined();
  });
});
