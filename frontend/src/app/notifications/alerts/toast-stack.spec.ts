import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { notification } from '../../../testing/fake-socket';
import { FakeNotificationService } from '../../../testing/fake-notification-service';
import { NotificationService } from '../state/notification-service';
import { MAX_TOASTS, TOAST_DURATION_MS, ToastInput, ToastService } from './toast-service';
import { ToastStack } from './toast-stack';

describe('ToastStack', () => {
  let service: FakeNotificationService;
  let toasts: ToastService;
  let fixture: ComponentFixture<ToastStack>;
  let element: HTMLElement;

  beforeEach(async () => {
    vi.useFakeTimers();
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('visible');
    service = new FakeNotificationService();
    await create();
  });

  /** A stack with its own ToastService, which reads the screen width when it is made. */
  async function create(): Promise<void> {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      imports: [ToastStack],
      providers: [provideRouter([]), { provide: NotificationService, useValue: service }],
    });
    toasts = TestBed.inject(ToastService);
    fixture = TestBed.createComponent(ToastStack);
    element = fixture.nativeElement as HTMLElement;
    await render();
  }

  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  async function render(): Promise<void> {
    fixture.detectChanges();
    await Promise.resolve();
  }

  function show(overrides: Partial<ToastInput> = {}): void {
    const item = overrides.notification ?? notification();
    toasts.show({ kind: 'notification', title: item.title, message: item.message, priority: item.priority, notification: item, ...overrides });
  }

  const shown = () => [...element.querySelectorAll('[data-testid="toast"] .toast-title')].map((title) => title.textContent);
  const toastOf = (title: string) =>
    [...element.querySelectorAll<HTMLElement>('[data-testid="toast"]')].find((toast) => toast.querySelector('.toast-title')?.textContent === title)!;
  const buttonIn = (scope: Element, label: string) =>
    [...scope.querySelectorAll<HTMLButtonElement>('button')].find((button) => button.textContent?.trim() === label);

  it('disappears by itself after 5 seconds', async () => {
    show({ title: 'Lab results ready' });
    await render();
    expect(shown()).toEqual(['Lab results ready']);

    vi.advanceTimersByTime(TOAST_DURATION_MS - 1);
    await render();
    expect(shown()).toEqual(['Lab results ready']);

    vi.advanceTimersByTime(1);
    await render();
    expect(shown()).toEqual([]);
  });

  it('stays while the pointer rests on it, and then gets its full remaining time', async () => {
    show({ title: 'Hovered' });
    await render();
    vi.advanceTimersByTime(4_000);

    element.querySelector('.toasts')!.dispatchEvent(new MouseEvent('mouseenter'));
    vi.advanceTimersByTime(60_000);
    await render();
    expect(shown()).toEqual(['Hovered']);

    element.querySelector('.toasts')!.dispatchEvent(new MouseEvent('mouseleave'));
    vi.advanceTimersByTime(999);
    await render();
    expect(shown()).toEqual(['Hovered']);
    vi.advanceTimersByTime(1);
    await render();
    expect(shown()).toEqual([]);
  });

  it('announces the toast through a live region', async () => {
    show({ title: 'Order confirmed', message: 'Jane Roe, blood panel' });
    await render();

    expect(element.querySelector('[aria-live="polite"]')?.textContent?.trim()).toBe('Order confirmed. Jane Roe, blood panel');
  });

  it('keeps a burst to a few toasts and says how many more are in the inbox, which it opens', async () => {
    for (let index = 1; index <= 30; index++) show({ title: `Burst ${index}` });
    await render();

    expect(shown()).toEqual(Array.from({ length: MAX_TOASTS }, (_, i) => `Burst ${30 - MAX_TOASTS + 1 + i}`));
    const more = element.querySelector<HTMLButtonElement>('[data-testid="toast-more"]')!;
    expect(more.textContent?.trim()).toBe(`+${30 - MAX_TOASTS} more notifications · Open inbox`);

    more.click();
    await render();
    expect(service.open).toHaveBeenCalledWith(null);
    expect(element.querySelector('[data-testid="toast-more"]')).toBeNull();
    // The count starts again from the next burst.
    show({ title: 'Next' });
    await render();
    expect(element.querySelector('[data-testid="toast-more"]')?.textContent?.trim()).toBe('+1 more notification · Open inbox');
  });

  it('shows at most two toasts at a time on a phone', async () => {
    vi.stubGlobal('matchMedia', (query: string) => ({ matches: query.includes('max-width'), media: query }) as MediaQueryList);
    await create();
    for (let index = 1; index <= 5; index++) show({ title: `Burst ${index}` });
    await render();

    expect(shown()).toEqual(['Burst 4', 'Burst 5']);
    expect(element.querySelector('[data-testid="toast-more"]')?.textContent?.trim()).toBe('+3 more notifications · Open inbox');
    vi.unstubAllGlobals();
  });

  it('opens the notification with "View" and goes away', async () => {
    show({ notification: notification({ actionUrl: '/orders' }) });
    await render();

    [...element.querySelectorAll<HTMLButtonElement>('[data-testid="toast"] button')].find((button) => button.textContent?.trim() === 'View')!.click();
    await render();

    expect(service.open).toHaveBeenCalledWith(expect.objectContaining({ actionUrl: '/orders' }));
    expect(shown()).toEqual([]);
  });

  it('can be dismissed with its button or with Escape', async () => {
    show({ title: 'First' });
    show({ title: 'Second' });
    await render();

    element.querySelector<HTMLButtonElement>('[data-testid="toast"] button[title="Dismiss"]')!.click();
    await render();
    expect(shown()).toEqual(['Second']);

    element.querySelector('[data-testid="toast"]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await render();
    expect(shown()).toEqual([]);
  });

  it('shows notification text as text, never as HTML', async () => {
    show({ title: '<img src=x onerror=alert(1)>', message: '<script>alert(2)</script>' });
    await render();

    expect(element.querySelector('[data-testid="toast"] img, [data-testid="toast"] script')).toBeNull();
    expect(shown()).toEqual(['<img src=x onerror=alert(1)>']);
  });

  describe('alerts that must be acknowledged', () => {
    const critical = () => notification({ title: 'Vaccine fridge at 9 °C', priority: 'CRITICAL', requireAck: true });

    it('keeps a critical toast on screen long after the others have gone', async () => {
      show({ notification: critical(), title: 'Vaccine fridge at 9 °C', priority: 'CRITICAL' });
      show({ title: 'Lab results ready' });
      await render();

      vi.advanceTimersByTime(10 * 60_000);
      await render();

      expect(shown()).toEqual(['Vaccine fridge at 9 °C']);
    });

    it('keeps a toast sent with "require acknowledgement" whatever its priority', async () => {
      show({ notification: notification({ title: 'Sign the shift handover', requireAck: true }), title: 'Sign the shift handover' });
      await render();

      vi.advanceTimersByTime(60_000);
      await render();

      expect(shown()).toEqual(['Sign the shift handover']);
      expect(buttonIn(toastOf('Sign the shift handover'), 'Acknowledge')).toBeDefined();
    });

    it('acknowledges with "Acknowledge" and goes away', async () => {
      const alert = critical();
      show({ notification: alert, title: alert.title, priority: 'CRITICAL' });
      await render();

      buttonIn(toastOf(alert.title), 'Acknowledge')!.click();
      await render();

      expect(service.acknowledge).toHaveBeenCalledWith(alert.id);
      expect(shown()).toEqual([]);
    });

    it('can be dismissed without acknowledging it', async () => {
      const alert = critical();
      show({ notification: alert, title: alert.title, priority: 'CRITICAL' });
      await render();

      toastOf(alert.title).querySelector<HTMLButtonElement>('button[title="Dismiss"]')!.click();
      await render();

      expect(shown()).toEqual([]);
      expect(service.acknowledge).not.toHaveBeenCalled();
    });

    it('offers no "Acknowledge" for a notification that needs none, or was acknowledged already', async () => {
      show({ title: 'Plain' });
      show({
        notification: notification({ title: 'Done elsewhere', priority: 'CRITICAL', requireAck: true, acknowledgedAt: '2025-01-02T00:00:00.000Z' }),
        title: 'Done elsewhere',
        priority: 'CRITICAL',
      });
      await render();

      expect(buttonIn(toastOf('Plain'), 'Acknowledge')).toBeUndefined();
      expect(buttonIn(toastOf('Done elsewhere'), 'Acknowledge')).toBeUndefined();
    });

    it('stays when newer toasts push the others out', async () => {
      const alert = critical();
      show({ notification: alert, title: alert.title, priority: 'CRITICAL' });
      for (let index = 1; index <= MAX_TOASTS; index++) show({ title: `Newer ${index}` });
      await render();

      expect(shown()).toEqual([alert.title, 'Newer 2', 'Newer 3', 'Newer 4']);
    });

    it('goes away when the notification is acknowledged on another device', async () => {
      const alert = critical();
      show({ notification: alert, title: alert.title, priority: 'CRITICAL' });
      await render();

      toasts.dismissNotification(alert.id);
      await render();

      expect(shown()).toEqual([]);
    });
  });

  it('says every toast’s priority in words, and a critical one’s first to screen readers', async () => {
    show({ title: 'Routine', priority: 'LOW' });
    show({ title: 'Soon', priority: 'HIGH' });
    show({ notification: notification({ priority: 'CRITICAL', requireAck: true }), title: 'Now', message: 'Room 4', priority: 'CRITICAL' });
    toasts.showError('Could not mark “X” as read.');
    await render();

    const labels = [...element.querySelectorAll('[data-testid="toast"] .toast-priority')].map((label) => label.textContent?.trim());
    expect(labels).toEqual(['Low', 'High', 'Critical', 'Error']);
    expect(element.querySelector('[aria-live="assertive"]')?.textContent).toContain('Critical: Now. Room 4');
  });

  it('reports a notification toast as seen, and a summary as nothing', async () => {
    const item = notification({ title: 'Lab results ready' });
    show({ notification: item });
    toasts.show({ kind: 'summary', title: '5 new notifications', message: 'Open your inbox', priority: 'NORMAL', notification: null });
    await render();
    await vi.advanceTimersByTimeAsync(0);

    expect(service.reportSeen.mock.calls).toEqual([[item]]);
  });
});
