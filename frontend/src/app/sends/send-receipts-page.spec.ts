import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { SendDetailDto } from '@clinic/contracts';

import { signIn } from '../../testing/auth-fixtures';
import { FakeNotificationService } from '../../testing/fake-notification-service';
import { counts, sendDetail } from '../../testing/send-fixtures';
import { SENDS_URL } from '../core/api-paths';
import { NotificationService } from '../notifications';
import { RECEIPTS_REFRESH_MS, SendReceiptsPage } from './send-receipts-page';

const ALERT = sendDetail({
  id: 's-alert',
  title: 'Vaccine fridge at 9 °C',
  priority: 'CRITICAL',
  requireAck: true,
  target: { kind: 'team', id: 't-ward', label: 'Ward A' },
  counts: counts({ recipients: 2, delivered: 2, seen: 1, read: 1, acknowledged: 1 }),
  escalation: { afterSeconds: 120, to: { kind: 'role', id: 'ADMIN', label: 'ADMIN' }, stepsDone: 1, maxSteps: 3 },
  recipients: [
    {
      userId: 'u-nora',
      name: 'Nora Nurse',
      deliveredAt: '2026-12-01T08:00:01.000Z',
      seenAt: '2026-12-01T08:00:02.000Z',
      readAt: '2026-12-01T08:01:00.000Z',
      acknowledgedAt: '2026-12-01T08:01:00.000Z',
    },
    { userId: 'u-omar', name: 'Omar Orderly', deliveredAt: '2026-12-01T08:00:03.000Z', seenAt: null, readAt: null, acknowledgedAt: null },
  ],
  escalations: [{ step: 1, sendId: 's-step-1', at: '2026-12-01T08:02:00.000Z', recipients: 1 }],
});

describe('SendReceiptsPage', () => {
  let http: HttpTestingController;
  let service: FakeNotificationService;
  let fixture: ComponentFixture<SendReceiptsPage>;

  beforeEach(() => {
    service = new FakeNotificationService();
    TestBed.configureTestingModule({
      imports: [SendReceiptsPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: NotificationService, useValue: service }],
    });
    http = TestBed.inject(HttpTestingController);
    signIn(1, 'STAFF');
  });

  afterEach(() => {
    http.verify();
    vi.useRealTimers();
  });

  const page = () => fixture.nativeElement as HTMLElement;
  const cells = (name: string) => {
    const row = [...page().querySelectorAll('[data-testid="recipient-row"]')].find((candidate) => candidate.querySelector('th')?.textContent?.trim() === name)!;
    return [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim());
  };
  const shownCounts = () =>
    [...page().querySelectorAll('[data-testid="receipt-counts"] .count')].map(
      (count) => `${count.querySelector('dt')?.textContent?.trim()} ${count.querySelector('dd')?.textContent?.trim()}`,
    );

  async function open(sendId: string, answer: SendDetailDto | 'not-found'): Promise<void> {
    fixture = TestBed.createComponent(SendReceiptsPage);
    fixture.componentRef.setInput('sendId', sendId);
    await fixture.whenStable();
    const request = http.expectOne(`${SENDS_URL}/${sendId}`);
    if (answer === 'not-found') request.flush({ message: 'Not found' }, { status: 404, statusText: 'Not Found' });
    else request.flush(answer);
    await fixture.whenStable();
  }

  it('lists every recipient with when it reached them, was seen, read and acknowledged', async () => {
    await open(ALERT.id, ALERT);

    expect(page().querySelector('h1')?.textContent).toContain('Vaccine fridge at 9 °C');
    expect(cells('Nora Nurse').every((cell) => cell?.startsWith('Dec 1,'))).toBe(true);
    expect(cells('Omar Orderly').slice(1)).toEqual(['Not yet', 'Not yet', 'Not yet']);
    expect(shownCounts()).toEqual(['Delivered 2 of 2', 'Seen 1 of 2', 'Read 1 of 2', 'Acknowledged 1 of 2']);
    expect(page().textContent).toContain('To All admins after 2 minutes without an acknowledgement');
  });

  it('links each escalation step to its own receipts', async () => {
    await open(ALERT.id, ALERT);

    const step = page().querySelector('[data-testid="escalation-step"]')!;
    expect(step.textContent).toContain('Step 1');
    expect(step.querySelector('a')?.getAttribute('href')).toBe('/sends/s-step-1');
  });

  it('says plainly that a send is not found, or not the user’s to see', async () => {
    await open('s-someone-elses', 'not-found');

    expect(page().querySelector('[data-testid="send-not-found"]')?.textContent).toContain('not found, or it is not yours to see');
    expect(page().querySelector('[data-testid="recipient-row"]')).toBeNull();
  });

  it('shows new counts at once, and fetches the recipients’ times again at most once a second', async () => {
    await open(ALERT.id, ALERT);
    vi.useFakeTimers();

    for (const read of [1, 2]) service.sendUpdates.next({ sendId: ALERT.id, counts: { ...ALERT.counts, read, seen: 2 } });
    service.sendUpdates.next({ sendId: 'another-send', counts: counts() });
    fixture.detectChanges();
    expect(shownCounts()).toContain('Read 2 of 2');
    await vi.advanceTimersByTimeAsync(RECEIPTS_REFRESH_MS - 1);
    http.expectNone(`${SENDS_URL}/${ALERT.id}`);

    await vi.advanceTimersByTimeAsync(1);
    const omarRead = { ...ALERT.recipients[1], seenAt: '2026-12-01T08:03:00.000Z', readAt: '2026-12-01T08:03:00.000Z' };
    http.expectOne(`${SENDS_URL}/${ALERT.id}`).flush({ ...ALERT, recipients: [ALERT.recipients[0], omarRead] });
    fixture.detectChanges();

    expect(cells('Omar Orderly')[2]).toMatch(/^Dec 1,/);
  });
});
