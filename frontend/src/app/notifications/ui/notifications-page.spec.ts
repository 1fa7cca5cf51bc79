import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { formatFullDate } from '../../common/full-date-pipe';
import { notification } from '../../../testing/fake-socket';
import { FakeNotificationService } from '../../../testing/fake-notification-service';
import { NotificationService } from '../state/notification-service';
import { NotificationsPage } from './notifications-page';
import { INTERSECTION_OBSERVER } from './seen-on-screen';

/** Plays the browser's IntersectionObserver: the test says which elements scrolled into view. */
class FakeIntersectionObserver {
  static readonly all: FakeIntersectionObserver[] = [];
  readonly observed: Element[] = [];

  constructor(private readonly callback: IntersectionObserverCallback) {
    FakeIntersectionObserver.all.push(this);
  }

  static scrollIntoView(element: Element): void {
    for (const observer of FakeIntersectionObserver.all) {
      if (!observer.observed.includes(element)) continue;
      const entry = { target: element, isIntersecting: true, intersectionRatio: 1 } as unknown as IntersectionObserverEntry;
      observer.callback([entry], observer as unknown as IntersectionObserver);
    }
  }

  observe(element: Element): void {
    this.observed.push(element);
  }

  disconnect(): void {
    this.observed.length = 0;
  }
}

describe('NotificationsPage', () => {
  let service: FakeNotificationService;
  let fixture: ComponentFixture<NotificationsPage>;
  let element: HTMLElement;

  beforeEach(async () => {
    service = new FakeNotificationService();
    TestBed.configureTestingModule({
      imports: [NotificationsPage],
      providers: [
        provideRouter([]),
        { provide: NotificationService, useValue: service },
        { provide: INTERSECTION_OBSERVER, useValue: FakeIntersectionObserver },
      ],
    });
    fixture = TestBed.createComponent(NotificationsPage);
    element = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
  });

  const titles = () => [...element.querySelectorAll('[data-testid="notification-item"] .note-title')].map((title) => title.textContent);
  const button = (label: string, scope: ParentNode = element) =>
    [...scope.querySelectorAll<HTMLButtonElement>('button')].find((candidate) => candidate.textContent?.trim() === label);

  it('lists every notification, newest first, and only the unread ones with the unread filter', async () => {
    service.list.next([notification({ title: 'Unread' }), notification({ title: 'Read', readAt: '2025-01-02T00:00:00.000Z' })]);
    service.count.next(1);
    await fixture.whenStable();
    expect(titles()).toEqual(['Unread', 'Read']);

    fixture.componentRef.setInput('filter', 'unread');
    await fixture.whenStable();
    expect(titles()).toEqual(['Unread']);
  });

  it('marks read, marks all read and deletes', async () => {
    const unread = notification({ title: 'Unread' });
    service.list.next([unread]);
    service.count.next(1);
    await fixture.whenStable();
    const row = element.querySelector('[data-testid="notification-item"]')!;

    button('Mark read', row)!.click();
    button('Delete', row)!.click();
    element.querySelector<HTMLButtonElement>('[data-testid="mark-all-read"]')!.click();

    expect(service.markAsRead).toHaveBeenCalledWith(unread.id);
    expect(service.delete).toHaveBeenCalledWith(unread.id);
    expect(service.markAllAsRead).toHaveBeenCalled();
  });

  it('offers older pages while there are more', async () => {
    service.list.next([notification()]);
    await fixture.whenStable();
    expect(button('Load more')).toBeUndefined();

    service.more.next(true);
    await fixture.whenStable();
    button('Load more')!.click();

    expect(service.loadMore).toHaveBeenCalled();
  });

  it('shows notification text as text, never as HTML, with the action it leads to', async () => {
    service.list.next([notification({ title: '<img src=x onerror=alert(1)>', message: '<b>bold</b>', actionText: '<i>Open</i>' })]);
    await fixture.whenStable();
    const row = element.querySelector('[data-testid="notification-item"]')!;

    expect(row.querySelector('img, b, i')).toBeNull();
    expect(row.querySelector('.note-title')?.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(row.querySelector('.note-message')?.textContent).toBe('<b>bold</b>');
    expect(row.querySelector('.action-text')?.textContent).toBe('<i>Open</i>');
  });

  it('spells out when each arrived, not only "5 min ago" on hover: a touch screen has no hover', async () => {
    service.list.next([notification({ createdAt: '2026-03-02T09:15:00.000Z' })]);
    await fixture.whenStable();
    const row = element.querySelector('[data-testid="notification-item"]')!;
    expect(row.querySelector('[data-testid="exact-time"]')?.textContent).toBe(`(${formatFullDate('2026-03-02T09:15:00.000Z')})`);
  });

  it('says when there is nothing to show', async () => {
    await fixture.whenStable();
    expect(element.textContent).toContain('No notifications yet');

    fixture.componentRef.setInput('filter', 'unread');
    await fixture.whenStable();
    expect(element.textContent).toContain('No unread notifications');
  });

  it('acknowledges an alert from its row, and shows when it was acknowledged', async () => {
    const pending = notification({ title: 'Fridge alarm', priority: 'CRITICAL', requireAck: true });
    service.list.next([pending, notification({ title: 'Handover', requireAck: true, acknowledgedAt: '2025-01-02T00:00:00.000Z' })]);
    await fixture.whenStable();
    const [pendingRow, doneRow] = element.querySelectorAll('[data-testid="notification-item"]');

    expect(button('Acknowledge', doneRow)).toBeUndefined();
    expect(doneRow.querySelector('[data-testid="acknowledged"]')?.textContent).toContain('Acknowledged');
    // An alert awaiting acknowledgement cannot be deleted (the server refuses too); once acknowledged it can.
    expect(button('Delete', pendingRow)).toBeUndefined();
    expect(button('Delete', doneRow)).toBeDefined();
    expect(pendingRow.textContent).toContain('Needs acknowledgement');
    button('Acknowledge', pendingRow)!.click();

    expect(service.acknowledge).toHaveBeenCalledWith(pending.id);
  });

  it('reports a row as seen once it scrolls into view, not before', async () => {
    const [top, bottom] = [notification({ title: 'Top' }), notification({ title: 'Bottom' })];
    service.list.next([top, bottom]);
    await fixture.whenStable();
    const rows = element.querySelectorAll('[data-testid="notification-item"]');

    FakeIntersectionObserver.scrollIntoView(rows[0]);
    expect(service.reportSeen.mock.calls).toEqual([[top]]);

    FakeIntersectionObserver.scrollIntoView(rows[1]);
    expect(service.reportSeen.mock.calls).toEqual([[top], [bottom]]);
  });
});
