import { ChangeDetectionStrategy, Component, computed, ElementRef, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { NotificationDto } from '@clinic/contracts';

import { NotificationService } from '../state/notification-service';
import { PRIORITY_LABELS, ROW_LABELS } from '../ui/notification-labels';
import { SeenOnScreen } from '../ui/seen-on-screen';
import { Toast, ToastService } from './toast-service';

/**
 * The toasts, bottom right. They sit right after the header in the page's tab order, so the
 * keyboard reaches them first; Escape dismisses the focused one. Each says its priority in words.
 * One that awaits acknowledgement offers "Acknowledge"; dismissing it is not acknowledging.
 * Screen readers hear each one through a live region (assertive for critical ones and errors),
 * which holds only text: the buttons stay out of the announcement.
 */
@Component({
  selector: 'app-toast-stack',
  imports: [SeenOnScreen],
  templateUrl: './toast-stack.html',
  styleUrl: './toast-stack.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ToastStack {
  private readonly toastService = inject(ToastService);
  private readonly notifications = inject(NotificationService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected readonly toasts = toSignal(this.toastService.toasts$, { requireSync: true });
  protected readonly overflow = toSignal(this.toastService.overflow$, { requireSync: true });
  protected readonly polite = computed(() => this.toasts().filter((toast) => !isUrgent(toast)));
  protected readonly urgent = computed(() => this.toasts().filter(isUrgent));
  protected readonly rowLabels = ROW_LABELS;

  protected label(toast: Toast): string {
    return toast.kind === 'error' ? $localize`:@@toast.error:Error` : PRIORITY_LABELS[toast.priority];
  }

  /** What the live region says: the priority first when it is high or critical. */
  protected spoken(toast: Toast): string {
    const text = $localize`:@@toast.spoken:${toast.title}:TITLE:. ${toast.message}:MESSAGE:`;
    return toast.kind !== 'error' && (toast.priority === 'HIGH' || toast.priority === 'CRITICAL')
      ? $localize`:@@toast.spokenWithPriority:${this.label(toast)}:PRIORITY:: ${text}:TEXT:`
      : text;
  }

  protected acknowledge(toast: Toast, notification: NotificationDto): void {
    this.dismiss(toast);
    void this.notifications.acknowledge(notification.id);
  }

  protected view(toast: Toast): void {
    this.dismiss(toast);
    this.notifications.open(toast.notification);
  }

  /** "+N more": the inbox lists them all. */
  protected openInbox(): void {
    this.toastService.forgetOverflow();
    this.notifications.open(null);
  }

  protected dismiss(toast: Toast): void {
    const element = this.host.nativeElement.querySelector(`[data-toast-id="${toast.id}"]`);
    const hadFocus = !!element?.contains(this.host.nativeElement.ownerDocument.activeElement);
    this.toastService.dismiss(toast.id);
    if (hadFocus) {
      // Keep the keyboard user among the toasts rather than dropping focus to the page's start.
      this.host.nativeElement.querySelector<HTMLElement>('[data-testid="toast"] button')?.focus();
    }
    if (this.toasts().length === 0) this.releaseAll();
  }

  protected hold(reason: 'hover' | 'focus'): void {
    this.toastService.hold(reason);
  }

  protected release(reason: 'hover' | 'focus'): void {
    this.toastService.release(reason);
  }

  protected focusLeft(event: FocusEvent): void {
    if (!this.host.nativeElement.contains(event.relatedTarget as Node | null)) this.release('focus');
  }

  private releaseAll(): void {
    this.release('hover');
    this.release('focus');
  }
}

function isUrgent(toast: Toast): boolean {
  return toast.kind === 'error' || toast.priority === 'CRITICAL';
}
