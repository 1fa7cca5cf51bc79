import { DOCUMENT } from '@angular/common';
import { inject, Injectable } from '@angular/core';
import { BehaviorSubject, distinctUntilChanged, map, Observable } from 'rxjs';

export type DesktopPermission = NotificationPermission | 'unsupported';

export interface DesktopMessage {
  /** Same tag, same notification: a second one with this tag replaces the first instead of stacking. */
  readonly tag: string;
  readonly title: string;
  readonly body: string;
  /** Stays on screen until the user acts (for critical notifications). */
  readonly sticky: boolean;
}

/**
 * The browser's Notification API. Permission is only ever asked for from a button the user
 * pressed (browsers ignore or penalise prompts on page load, and so do users).
 */
@Injectable({ providedIn: 'root' })
export class DesktopNotifications {
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly api = this.window && 'Notification' in this.window ? this.window.Notification : null;
  private readonly state = new BehaviorSubject<DesktopPermission>(this.api?.permission ?? 'unsupported');
  private readonly shown = new Map<string, Notification>();

  readonly permission$: Observable<DesktopPermission> = this.state.pipe(distinctUntilChanged());
  /** The browser would still show the permission prompt. */
  readonly canAsk$: Observable<boolean> = this.permission$.pipe(
    map((permission) => permission === 'default'),
    distinctUntilChanged(),
  );

  constructor() {
    // The user can change the permission in the browser's site settings at any time.
    void this.window?.navigator.permissions
      ?.query({ name: 'notifications' })
      .then((status) => (status.onchange = () => this.syncPermission()))
      .catch(() => undefined);
  }

  async requestPermission(): Promise<DesktopPermission> {
    if (!this.api) return 'unsupported';
    const result = await this.api.requestPermission();
    this.state.next(result);
    return result;
  }

  /** Shows a desktop notification if allowed; clicking it brings this tab forward and runs `onOpen`. */
  show(message: DesktopMessage, onOpen: () => void): void {
    this.syncPermission();
    if (!this.api || this.state.value !== 'granted') return;
    let notification: Notification;
    try {
      notification = new this.api(message.title, {
        body: message.body,
        tag: message.tag,
        requireInteraction: message.sticky,
      });
    } catch {
      // Some mobile browsers only allow notifications from a service worker.
      return;
    }
    this.shown.set(message.tag, notification);
    notification.onclick = () => {
      this.window?.focus();
      onOpen();
      notification.close();
    };
    notification.onclose = () => {
      if (this.shown.get(message.tag) === notification) this.shown.delete(message.tag);
    };
  }

  close(tag: string): void {
    this.shown.get(tag)?.close();
    this.shown.delete(tag);
  }

  closeAll(): void {
    for (const notification of this.shown.values()) notification.close();
    this.shown.clear();
  }

  private syncPermission(): void {
    if (this.api) this.state.next(this.api.permission);
  }
}
