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
    expect(service.delete).toHaveBeenCalledWith([unread.id]);
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

  describe('filters, search, day groups and selection', () => {
    const today = new Date();
    const at = (daysAgo: number, hour: number) =>
      new Date(today.getFullYear(), today.getMonth(), today.getDate() - daysAgo, hour).toISOString();

    it('narrows the list by type, priority and words, as the query says', async () => {
      service.list.next([
        notification({ title: 'Order for Jane Roe', type: 'ORDER_CREATED', priority: 'HIGH' }),
        notification({ title: 'Payment received', type: 'PAYMENT_VERIFIED', message: 'From jane roe' }),
        notification({ title: 'Fridge', type: 'SYSTEM_ALERT', priority: 'LOW' }),
      ]);
      await fixture.whenStable();

      fixture.componentRef.setInput('q', 'JANE');
      await fixture.whenStable();
      expect(titles()).toEqual(['Order for Jane Roe', 'Payment received']);

      fixture.componentRef.setInput('type', 'PAYMENT_VERIFIED');
      await fixture.whenStable();
      expect(titles()).toEqual(['Payment received']);

      fixture.componentRef.setInput('q', undefined);
      fixture.componentRef.setInput('type', 'not-a-type');
      fixture.componentRef.setInput('priority', 'LOW');
      await fixture.whenStable();
      expect(titles()).toEqual(['Fridge']);
      expect(element.querySelector<HTMLSelectElement>('[data-testid="priority-filter"]')!.value).toBe('LOW');
    });

    it('searches older pages with the filter when "Search older notifications" is pressed', async () => {
      service.list.next([notification({ title: 'Recent' })]);
      service.more.next(true);
      fixture.componentRef.setInput('q', 'insulin');
      await fixture.whenStable();
      expect(element.querySelector('[data-testid="no-match"]')?.textContent).toContain('Older ones may');

      button('Search older notifications')!.click();

      const [matching] = service.loadMore.mock.calls[0] as unknown as [(item: unknown) => boolean];
      expect(matching(notification({ title: 'Insulin order' }))).toBe(true);
      expect(matching(notification({ title: 'Other' }))).toBe(false);
    });

    it('groups by day with the words a reader uses, and keeps the exact time on each row', async () => {
      service.list.next([notification({ title: 'A', createdAt: at(0, 9) }), notification({ title: 'B', createdAt: at(1, 9) }), notification({ title: 'C', createdAt: at(1, 8) })]);
      await fixture.whenStable();

      const groups = [...element.querySelectorAll('[data-testid="day-group"]')];
      expect(groups.map((group) => group.querySelector('h2')?.textContent)).toEqual(['Today', 'Yesterday']);
      expect(groups.map((group) => group.querySelectorAll('[data-testid="notification-item"]').length)).toEqual([1, 2]);
      expect(groups[1].querySelector('[data-testid="exact-time"]')?.textContent).toContain(String(today.getFullYear()));
    });

    it('applies one change to the selected rows, leaving alerts awaiting acknowledgement out of a delete', async () => {
      const [first, second, alert] = [notification({ title: 'First' }), notification({ title: 'Second' }), notification({ title: 'Alert', priority: 'CRITICAL', requireAck: true })];
      service.list.next([first, second, alert]);
      await fixture.whenStable();
      const boxes = element.querySelectorAll<HTMLInputElement>('[data-testid="select"]');

      boxes[0].click();
      await fixture.whenStable();
      expect(element.querySelector('[data-testid="selected-count"]')?.textContent).toBe('1 selected');
      expect(element.querySelector<HTMLInputElement>('[data-testid="select-all"]')!.indeterminate).toBe(true);
      element.querySelector<HTMLButtonElement>('[data-testid="bulk-archive"]')!.click();
      expect(service.bulk).toHaveBeenCalledWith('archive', [first.id], undefined);
      await fixture.whenStable();
      expect(element.querySelector('[data-testid="bulk-actions"]')).toBeNull();

      element.querySelector<HTMLInputElement>('[data-testid="select-all"]')!.click();
      await fixture.whenStable();
      expect(element.querySelector('[data-testid="bulk-actions"]')?.textContent).toContain('1 alert needs acknowledgement first');
      element.querySelector<HTMLButtonElement>('[data-testid="bulk-delete"]')!.click();
      // The service keeps the alert (NotificationCommands.delete); the bar said it would stay.
      expect(service.delete).toHaveBeenCalledWith([first.id, second.id, alert.id]);
    });

    it('offers the snooze choices as a menu, and a chosen time in a dialog', async () => {
      const item = notification({ title: 'Call back' });
      service.list.next([item]);
      await fixture.whenStable();

      element.querySelector<HTMLButtonElement>('[data-testid="snooze"]')!.click();
      await fixture.whenStable();
      const menu = document.querySelector('[role="menu"]')!;
      expect([...menu.querySelectorAll('[role="menuitem"]')].map((entry) => entry.textContent?.trim())).toEqual([
        'For 1 hour',
        'Tomorrow, 08:00',
        'Choose a time…',
      ]);
      document.querySelector<HTMLButtonElement>('[data-testid="snooze-choose"]')!.click();
      await fixture.whenStable();

      const dialog = document.querySelector('[role="dialog"]')!;
      expect(dialog.textContent).toContain('“Call back” leaves the inbox');
      const input = dialog.querySelector<HTMLInputElement>('[data-testid="snooze-until"]')!;
      dialog.querySelector<HTMLButtonElement>('[data-testid="snooze-until-apply"]')!.click();
      await fixture.whenStable();
      expect(dialog.querySelector('[role="alert"]')?.textContent).toBe('Choose a date and a time.');

      const later = new Date(Date.now() + 3_600_000);
      const pad = (value: number) => String(value).padStart(2, '0');
      input.value = `${later.getFullYear()}-${pad(later.getMonth() + 1)}-${pad(later.getDate())}T${pad(later.getHours())}:${pad(later.getMinutes())}`;
      dialog.querySelector<HTMLButtonElement>('[data-testid="snooze-until-apply"]')!.click();
      await fixture.whenStable();

      expect(service.snooze).toHaveBeenCalledWith(item.id, expect.any(String));
      const until = Date.parse((service.snooze.mock.calls[0] as unknown as [string, string])[1]);
      expect(Math.abs(until - later.getTime())).toBeLessThan(60_000);
      expect(document.querySelector('[role="dialog"]')).toBeNull();
    });
  });
});
