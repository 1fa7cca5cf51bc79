import { DOCUMENT } from '@angular/common';
import { DestroyRef, inject, Injectable } from '@angular/core';
import { awaitsAcknowledgement, type NotificationDto, type NotificationPriority } from '@clinic/contracts';
import { BehaviorSubject, Observable } from 'rxjs';


export const TOAST_DURATION_MS = 5_000;
/**
 * More than this on screen at once and the oldest gives way (one that awaits acknowledgement
 * last), counted in "+N more"; on a phone fewer, so that the page stays usable beneath them.
 */
export const MAX_TOASTS = 4;
export const MAX_TOASTS_ON_PHONE = 2;
const PHONE = '(max-width: 30rem)';

export type ToastKind = 'notification' | 'summary' | 'error';

export interface Toast {
  readonly id: number;
  readonly kind: ToastKind;
  readonly title: string;
  readonly message: string;
  readonly priority: NotificationPriority;
  /** What "View" opens: the notification's target, or the inbox for a summary. */
  readonly notification: NotificationDto | null;
  /** Its notification awaits acknowledgement: no countdown, it stays until acknowledged or dismissed. */
  readonly persistent: boolean;
}

export type ToastInput = Omit<Toast, 'id' | 'persistent'>;

/** Why the countdown is paused: while any reason holds, no toast disappears. */
export type ToastHold = 'hover' | 'focus' | 'hidden';

interface Countdown {
  remaining: number;
  startedAt: number;
  handle: ReturnType<typeof setTimeout> | null;
}

/**
 * The toasts on screen. Each disappears after 5 s of being visible: the countdown pauses while
 * the pointer or keyboard focus is on the toasts, and while the tab is in the background, so
 * nothing vanishes before anyone could read it. A toast about a notification that awaits
 * acknowledgement (CRITICAL, or sent with `requireAck`) has no countdown: it goes when the
 * notification is acknowledged, here or on another device, or when the user dismisses it.
 */
@Injectable({ providedIn: 'root' })
export class ToastService {
  private readonly document = inject(DOCUMENT);
  private readonly list = new BehaviorSubject<readonly Toast[]>([]);
  private readonly overflow = new BehaviorSubject(0);
  private readonly phone = this.document.defaultView?.matchMedia?.(PHONE) ?? null;
  private readonly countdowns = new Map<number, Countdown>();
  private readonly holds = new Set<ToastHold>();
  private nextId = 1;

  /** Oldest first. */
  readonly toasts$: Observable<readonly Toast[]> = this.list.asObservable();
  /** Notification toasts that gave way to newer ones since the stack was last empty: "+N more". */
  readonly overflow$: Observable<number> = this.overflow.asObservable();

  constructor() {
    const onVisibilityChange = () =>
      this.document.visibilityState === 'hidden' ? this.hold('hidden') : this.release('hidden');
    this.document.addEventListener('visibilitychange', onVisibilityChange);
    inject(DestroyRef).onDestroy(() => {
      this.document.removeEventListener('visibilitychange', onVisibilityChange);
      this.clear();
    });
    onVisibilityChange();
  }

  show(input: ToastInput): number {
    const persistent = input.kind === 'notification' && input.notification !== null && awaitsAcknowledgement(input.notification);
    const toast: Toast = { ...input, id: this.nextId++, persistent };
    const list = [...this.list.value, toast];
    const max = this.phone?.matches ? MAX_TOASTS_ON_PHONE : MAX_TOASTS;
    while (list.length > max) {
      const oldest = list.findIndex((shown) => !shown.persistent);
      const [dropped] = list.splice(oldest === -1 ? 0 : oldest, 1);
      this.stopCountdown(dropped.id);
      if (dropped.kind !== 'error') this.overflow.next(this.overflow.value + 1);
    }
    this.list.next(list);
    if (!persistent) {
      this.countdowns.set(toast.id, { remaining: TOAST_DURATION_MS, startedAt: 0, handle: null });
      if (this.holds.size === 0) this.runCountdown(toast.id);
    }
    return toast.id;
  }

  /** Something the user asked for failed. */
  showError(message: string): number {
    return this.show({ kind: 'error', title: $localize`:@@toast.errorTitle:Something went wrong`, message, priority: 'NORMAL', notification: null });
  }

  dismiss(id: number): void {
    this.stopCountdown(id);
    if (this.list.value.some((toast) => toast.id === id)) this.list.next(this.list.value.filter((toast) => toast.id !== id));
    if (this.list.value.length === 0) this.forgetOverflow();
  }

  /** "+N more" was opened or the stack emptied: the ones that gave way are in the inbox. */
  forgetOverflow(): void {
    if (this.overflow.value !== 0) this.overflow.next(0);
  }

  /** Takes away the toast about a notification that was acknowledged, read or deleted meanwhile. */
  dismissNotification(notificationId: string): void {
    for (const toast of this.list.value) {
      if (toast.notification?.id === notificationId && toast.kind === 'notification') this.dismiss(toast.id);
    }
  }

  /** A toast about this notification is on screen. */
  showsNotification(notificationId: string): boolean {
    return this.list.value.some((toast) => toast.notification?.id === notificationId && toast.kind === 'notification');
  }

  hold(reason: ToastHold): void {
    if (this.holds.has(reason)) return;
    this.holds.add(reason);
    for (const [id, countdown] of this.countdowns) {
      if (countdown.handle === null) continue;
      clearTimeout(countdown.handle);
      countdown.handle = null;
      countdown.remaining = Math.max(0, countdown.remaining - (Date.now() - countdown.startedAt));
      this.countdowns.set(id, countdown);
    }
  }

  release(reason: ToastHold): void {
    if (!this.holds.delete(reason) || this.holds.size > 0) return;
    for (const id of this.countdowns.keys()) this.runCountdown(id);
  }

  clear(): void {
    for (const id of [...this.countdowns.keys()]) this.stopCountdown(id);
    if (this.list.value.length > 0) this.list.next([]);
    this.forgetOverflow();
  }

  private runCountdown(id: number): void {
    const countdown = this.countdowns.get(id);
    if (!countdown || countdown.handle !== null) return;
    countdown.startedAt = Date.now();
    countdown.handle = setTimeout(() => this.dismiss(id), countdown.remaining);
  }

  private stopCountdown(id: number): void {
    const countdown = this.countdowns.get(id);
    if (countdown?.handle) clearTimeout(countdown.handle);
    this.countdowns.delete(id);
  }
}
