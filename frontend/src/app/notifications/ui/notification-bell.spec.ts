import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { notification } from '../../../testing/fake-socket';
import { FakeNotificationService } from '../../../testing/fake-notification-service';
import { NotificationService } from '../state/notification-service';
import { NotificationBell } from './notification-bell';

describe('NotificationBell', () => {
  let service: FakeNotificationService;
  let fixture: ComponentFixture<NotificationBell>;
  let element: HTMLElement;

  beforeEach(async () => {
    service = new FakeNotificationService();
    TestBed.configureTestingModule({
      imports: [NotificationBell],
      providers: [provideRouter([]), { provide: NotificationService, useValue: service }],
    });
    fixture = TestBed.createComponent(NotificationBell);
    element = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
  });

  const badge = () => element.querySelector('[data-testid="notification-badge"]')?.textContent?.trim();
  const bell = () => element.querySelector<HTMLButtonElement>('[data-testid="notification-bell"]')!;

  async function openDropdown(): Promise<HTMLElement> {
    bell().click();
    await fixture.whenStable();
    return document.querySelector<HTMLElement>('[data-testid="notification-dropdown"]')!;
  }

  it('shows no badge when everything is read', () => {
    expect(badge()).toBeUndefined();
    expect(bell().getAttribute('aria-label')).toBe('Notifications');
  });

  it('shows the unread count, and 99+ beyond 99', async () => {
    service.count.next(7);
    await fixture.whenStable();
    expect(badge()).toBe('7');
    expect(bell().getAttribute('aria-label')).toBe('Notifications, 7 unread');

    service.count.next(99);
    await fixture.whenStable();
    expect(badge()).toBe('99');

    service.count.next(100);
    await fixture.whenStable();
    expect(badge()).toBe('99+');
  });

  it('lists the 5 newest notifications in the dropdown', async () => {
    const items = Array.from({ length: 7 }, (_, index) => notification({ title: `Newest ${index + 1}` }));
    service.list.next(items);

    const dropdown = await openDropdown();

    const titles = [...dropdown.querySelectorAll('[data-testid="notification-item"] .note-title')].map((title) => title.textContent);
    expect(titles).toEqual(['Newest 1', 'Newest 2', 'Newest 3', 'Newest 4', 'Newest 5']);
    expect(bell().getAttribute('aria-expanded')).toBe('true');
  });

  it('marks one or all read from the dropdown', async () => {
    const unread = notification({ title: 'Unread' });
    service.list.next([unread, notification({ title: 'Read', readAt: '2025-01-02T00:00:00.000Z' })]);
    service.count.next(1);
    const dropdown = await openDropdown();

    const markButtons = dropdown.querySelectorAll<HTMLButtonElement>('.note-mark');
    expect(markButtons).toHaveLength(1);
    markButtons[0].click();
    dropdown.querySelector<HTMLButtonElement>('[data-testid="mark-all-read"]')!.click();

    expect(service.markAsRead).toHaveBeenCalledWith(unread.id);
    expect(service.markAllAsRead).toHaveBeenCalled();
  });

  it('shows notification text as text, never as HTML', async () => {
    service.list.next([notification({ title: '<img src=x onerror=alert(1)>', message: '<b>bold</b>' })]);

    const dropdown = await openDropdown();

    expect(dropdown.querySelector('img, b')).toBeNull();
    expect(dropdown.querySelector('.note-title')?.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(dropdown.querySelector('.note-message')?.textContent).toBe('<b>bold</b>');
  });

  it('closes on Escape and gives focus back to the bell', async () => {
    const dropdown = await openDropdown();

    dropdown.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await fixture.whenStable();

    expect(document.querySelector('[data-testid="notification-dropdown"]')).toBeNull();
    expect(document.activeElement).toBe(bell());
  });

  it('closes on Escape while the focus is still on the bell that opened it', async () => {
    await openDropdown();
    bell().focus();

    bell().dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await fixture.whenStable();

    expect(document.querySelector('[data-testid="notification-dropdown"]')).toBeNull();
    expect(document.activeElement).toBe(bell());
  });

  it('offers "Acknowledge" for an alert that awaits it, and says when one was acknowledged', async () => {
    const pending = notification({ title: 'Fridge alarm', priority: 'CRITICAL', requireAck: true });
    const done = notification({ title: 'Handover', requireAck: true, readAt: '2025-01-02T00:00:00.000Z', acknowledgedAt: '2025-01-02T00:00:00.000Z' });
    service.list.next([pending, done, notification({ title: 'Plain' })]);
    const dropdown = await openDropdown();
    const item = (title: string) =>
      [...dropdown.querySelectorAll('[data-testid="notification-item"]')].find((row) => row.querySelector('.note-title')?.textContent === title)!;
    const acknowledgeButton = (title: string) =>
      [...item(title).querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Acknowledge');

    expect(acknowledgeButton('Handover')).toBeUndefined();
    expect(acknowledgeButton('Plain')).toBeUndefined();
    expect(item('Handover').textContent).toContain('Acknowledged');
    acknowledgeButton('Fridge alarm')!.click();

    expect(service.acknowledge).toHaveBeenCalledWith(pending.id);
  });

  it('reports the rows of the open dropdown as seen, and nothing while it is closed', async () => {
    const rows = [notification(), notification()];
    service.list.next(rows);
    await fixture.whenStable();
    expect(service.reportSeen).not.toHaveBeenCalled();

    await openDropdown();

    expect(service.reportSeen.mock.calls.map(([seen]) => seen)).toEqual(rows);
  });
});
