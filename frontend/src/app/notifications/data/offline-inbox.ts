import { DOCUMENT } from '@angular/common';
import { DestroyRef, effect, inject, Injectable, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { DEFAULT_PAGE_SIZE } from '@clinic/contracts';
import { combineLatest, filter, throttleTime } from 'rxjs';

import { AuthService } from '../../core/auth-service';
import { OfflineSnapshot } from '../../core/offline-snapshot';
import { NotificationStore } from '../state/notification-store';

/** Writes the first state at once, then at most this often through a burst of changes (a catch-up, a read-all). */
const SAVE_EVERY_MS = 1_000;

/** While the kept inbox is shown, how often the app asks the server again (and at once when the browser is back online). */
export const OFFLINE_RETRY_MS = 5_000;

/**
 * The signed-in side of OfflineSnapshot: keeps the inbox's first page as the server sends it, and
 * shows the kept one while the server cannot be reached, asking it again until the session is
 * restored. The kept inbox is only shown, never merged into the session's state: the server's
 * first answer replaces it whole, so nothing stale overwrites newer state. Started by the shell.
 */
@Injectable({ providedIn: 'root' })
export class OfflineInbox {
  private readonly auth = inject(AuthService);
  private readonly store = inject(NotificationStore);
  private readonly snapshot = inject(OfflineSnapshot);
  private readonly window = inject(DOCUMENT).defaultView;

  constructor() {
    combineLatest([this.store.notifications$, this.store.unreadCount$, this.store.loadStatus$, this.store.keptSince$])
      .pipe(
        filter(([, , status, keptSince]) => status === 'ready' && keptSince === null),
        throttleTime(SAVE_EVERY_MS, undefined, { leading: true, trailing: true }),
        takeUntilDestroyed(),
      )
      .subscribe(([items, unreadCount]) => {
        const user = this.auth.user();
        if (user && this.store.loaded) {
          void this.snapshot.save({ user, items: items.slice(0, DEFAULT_PAGE_SIZE), unreadCount, savedAt: new Date().toISOString() });
        }
      });

    let stopRetrying: (() => void) | null = null;
    effect(() => {
      const kept = this.snapshot.shown();
      untracked(() => {
        stopRetrying?.();
        stopRetrying = null;
        if (kept) {
          this.store.showKept(kept.items, kept.unreadCount, kept.savedAt);
          stopRetrying = this.retryUntilAnswered();
        } else if (!this.auth.isAuthenticated()) {
          this.store.end();
        }
      });
    });
    inject(DestroyRef).onDestroy(() => stopRetrying?.());
  }

  /** Restores the session when the server answers again: its live state then replaces the kept one. */
  private retryUntilAnswered(): () => void {
    const retry = () => void this.auth.restore();
    const timer = setInterval(retry, OFFLINE_RETRY_MS);
    this.window?.addEventListener('online', retry);
    return () => {
      clearInterval(timer);
      this.window?.removeEventListener('online', retry);
    };
  }
}
