import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { SendSummaryDto } from '@clinic/contracts';

import { buttonNamed } from '../../testing/account-fixtures';
import { FakeNotificationService } from '../../testing/fake-notification-service';
import { counts, sendDetail, sendSummary } from '../../testing/send-fixtures';
import { SENDS_URL } from '../core/api-paths';
import { NotificationService } from '../notifications';
import { SendsPage } from './sends-page';

describe('SendsPage', () => {
  let http: HttpTestingController;
  let service: FakeNotificationService;
  let fixture: ComponentFixture<SendsPage>;

  beforeEach(async () => {
    service = new FakeNotificationService();
    TestBed.configureTestingModule({
      imports: [SendsPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: NotificationService, useValue: service }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SendsPage);
    await fixture.whenStable();
  });

  afterEach(() => {
    http.verify();
    vi.restoreAllMocks();
  });

  const page = () => fixture.nativeElement as HTMLElement;
  const listRequest = (): TestRequest => http.expectOne((request) => request.url === SENDS_URL);
  const rowOf = (send: SendSummaryDto) => page().querySelector<HTMLElement>(`[data-testid="send-row"][data-send-id="${send.id}"]`)!;
  const receipts = (send: SendSummaryDto) =>
    [...rowOf(send).querySelectorAll('[data-testid="receipt-counts"] .count')].map(
      (count) => `${count.querySelector('dt')?.textContent?.trim()} ${count.querySelector('dd')?.textContent?.trim()}`,
    );

  async function answer(request: TestRequest, items: SendSummaryDto[]): Promise<void> {
    request.flush({ items, nextCursor: null });
    await fixture.whenStable();
  }

  it('lists the sends, each opening its receipts, with how many recipients have each receipt', async () => {
    const sent = sendSummary({ title: 'Fridge alarm', requireAck: true, counts: counts({ delivered: 3, seen: 2, read: 1, acknowledged: 1 }) });
    const scheduled = sendSummary({ title: 'Fire drill', status: 'scheduled', sendAt: '2026-12-02T14:00:00.000Z', sentAt: null });
    await answer(listRequest(), [scheduled, sent]);

    expect(rowOf(sent).querySelector('a')?.getAttribute('href')).toBe(`/sends/${sent.id}`);
    expect(receipts(sent)).toEqual(['Delivered 3 of 3', 'Seen 2 of 3', 'Read 1 of 3', 'Acknowledged 1 of 3']);
    expect(rowOf(scheduled).textContent).toContain('Goes out');
    expect(buttonNamed(rowOf(scheduled), 'Cancel')).toBeDefined();
    expect(buttonNamed(rowOf(sent), 'Cancel')).toBeUndefined();
  });

  it('updates a send’s counts the moment send:updated arrives, without asking the server', async () => {
    const sent = sendSummary();
    await answer(listRequest(), [sent]);

    service.sendUpdates.next({ sendId: sent.id, counts: counts({ delivered: 3, seen: 3, read: 2 }) });
    await fixture.whenStable();

    expect(receipts(sent)).toEqual(['Delivered 3 of 3', 'Seen 3 of 3', 'Read 2 of 3']);
    http.expectNone((request) => request.url.startsWith(SENDS_URL));
  });

  it('shows a scheduled send as sent once its first receipts come in', async () => {
    const scheduled = sendSummary({ status: 'scheduled', sendAt: '2026-12-02T14:00:00.000Z', sentAt: null, counts: counts({ recipients: 0 }) });
    await answer(listRequest(), [scheduled]);

    service.sendUpdates.next({ sendId: scheduled.id, counts: counts({ delivered: 1 }) });
    http
      .expectOne(`${SENDS_URL}/${scheduled.id}`)
      .flush(sendDetail({ ...scheduled, status: 'sent', sentAt: scheduled.sendAt, counts: counts({ delivered: 1 }) }));
    await fixture.whenStable();

    expect(rowOf(scheduled).dataset['status']).toBe('sent');
    expect(receipts(scheduled)).toEqual(['Delivered 1 of 3', 'Seen 0 of 3', 'Read 0 of 3']);
  });

  it('puts a send made meanwhile at the top when its receipts start to come in', async () => {
    const older = sendSummary({ title: 'Older' });
    await answer(listRequest(), [older]);
    const newer = sendSummary({ title: 'Newer', createdAt: '2026-12-01T09:00:00.000Z' });

    service.sendUpdates.next({ sendId: newer.id, counts: counts({ delivered: 1 }) });
    http.expectOne(`${SENDS_URL}/${newer.id}`).flush(sendDetail(newer));
    await fixture.whenStable();

    const titles = [...page().querySelectorAll('[data-testid="send-row"] .send-title')].map((title) => title.textContent);
    expect(titles).toEqual(['Newer', 'Older']);
  });

  it('asks only for the status picked in the filter', async () => {
    await answer(listRequest(), []);

    fixture.componentRef.setInput('status', 'scheduled');
    await fixture.whenStable();

    const request = listRequest();
    expect(request.request.params.get('status')).toBe('scheduled');
    await answer(request, []);
    expect(page().textContent).toContain('Nothing is scheduled.');
  });

  it('cancels a scheduled send once the admin confirms, and leaves it when they do not', async () => {
    const scheduled = sendSummary({ title: 'Fire drill', status: 'scheduled', sendAt: '2026-12-02T14:00:00.000Z', sentAt: null });
    await answer(listRequest(), [scheduled]);
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);

    buttonNamed(rowOf(scheduled), 'Cancel')!.click();
    http.expectNone({ method: 'DELETE' });

    confirm.mockReturnValue(true);
    buttonNamed(rowOf(scheduled), 'Cancel')!.click();
    http.expectOne({ method: 'DELETE', url: `${SENDS_URL}/${scheduled.id}` }).flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();

    expect(confirm).toHaveBeenLastCalledWith(expect.stringContaining('Cancel “Fire drill”'));
    expect(rowOf(scheduled).dataset['status']).toBe('cancelled');
    expect(buttonNamed(rowOf(scheduled), 'Cancel')).toBeUndefined();
    expect(page().querySelector('[data-testid="sends-feedback"]')?.textContent).toContain('“Fire drill” is cancelled');
  });

  it('says so when a scheduled send went out before it could be cancelled, and shows it as sent', async () => {
    const scheduled = sendSummary({ title: 'Fire drill', status: 'scheduled', sendAt: '2026-12-02T14:00:00.000Z', sentAt: null });
    await answer(listRequest(), [scheduled]);
    vi.spyOn(window, 'confirm').mockReturnValue(true);

    buttonNamed(rowOf(scheduled), 'Cancel')!.click();
    http.expectOne({ method: 'DELETE' }).flush({ message: 'Already sent' }, { status: 409, statusText: 'Conflict' });
    http.expectOne(`${SENDS_URL}/${scheduled.id}`).flush(sendDetail({ ...scheduled, status: 'sent' }));
    await fixture.whenStable();

    expect(page().querySelector('[data-testid="sends-feedback"]')?.textContent).toContain('has already gone out or was cancelled');
    expect(rowOf(scheduled).dataset['status']).toBe('sent');
  });

  it('reloads the list when the live connection is back, for the receipts it missed', async () => {
    await answer(listRequest(), [sendSummary()]);

    service.state.next('polling');
    service.state.next('connected');
    await fixture.whenStable();

    await answer(listRequest(), [sendSummary({ title: 'Fresh' })]);
    expect(page().textContent).toContain('Fresh');
  });
});
