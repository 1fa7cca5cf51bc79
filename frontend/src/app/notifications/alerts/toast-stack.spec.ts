import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { notification } from '../../../testing/fake-socket';
import { FakeNotificationService } from '../../../testing/fake-notification-service';
import { NotificationService } from '../state/notification-service';
import { TOAST_DURATION_MS, ToastInput, ToastService } from './toast-service';
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
    TestBed.configureTestingModule({
      imports: [ToastStack],
      providers: [provideRouter([]), { provide: NotificationService, useValue: service }],
    });
    toasts = TestBed.inject(ToastService);
    fixture = TestBed.createComponent(ToastStack);
    element = fixture.nativeElement as HTMLElement;
    await render();
  });

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
});
