import { DOCUMENT } from '@angular/common';
import { DestroyRef, inject, Injectable } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ClientEvent, MAX_SEEN_BATCH, NotificationDto } from '@clinic/contracts';
import { firstValueFrom, takeUntil } from 'rxjs';

import { NotificationApi } from '../data/notification-api';
import { ACK_TIMEOUT_MS } from '../data/notification-socket';
import { NotificationConnection } from './notification-connection';
import { NotificationStore } from './notification-store';

/** At most one `notification:seen` this often: what was shown meanwhile goes in the next one. */
export const SEEN_BATCH_INTERVAL_MS = 500;

/**
 * Tells the server which notifications were on screen (a toast, a row of the open dropdown, an
 * inbox row in the viewport): the `seenAt` receipt that a send's sender reads.
 *
 * - Batched: one `notification:seen { ids }` (over the socket, else `POST /notifications/seen`)
 *   at most every SEEN_BATCH_INTERVAL_MS, with at most MAX_SEEN_BATCH ids.
 * - Once per notification for the life of the page, and only for one whose `seenAt` is not set.
 *   A batch the server did not take is forgotten, so the next time its rows are shown they count.
 * - Only what a person could have seen: shown while the tab is in the background, a notification
 *   waits until the tab is visible again (toasts and rows are still there then).
 */
@Injectable({ providedIn: 'root' })
export class SeenReceipts {
  private readonly document = inject(DOCUMENT);
  private readonly api = inject(NotificationApi);
  private readonly store = inject(NotificationStore);
  private readonly connection = inject(NotificationConnection);
  /** Every id reported (or about to be) in this page's life. */
  private readonly reported = new Set<string>();
  /** Shown while the tab was hidden. */
  private readonly waitingForVisible = new Set<string>();
  private queue: string[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    const onVisibilityChange = () => {
      if (this.document.visibilityState !== 'visible') return;
      for (const id of this.waitingForVisible) this.enqueue(id);
      this.waitingForVisible.clear();
    };
    this.document.addEventListener('visibilitychange', onVisibilityChange);
    inject(DestroyRef).onDestroy(() => {
      this.document.removeEventListener('visibilitychange', onVisibilityChange);
      this.reset();
    });
    this.store.ended$.pipe(takeUntilDestroyed()).subscribe(() => this.reset());
  }

  /** The notification is on screen now. */
  saw(notification: NotificationDto): void {
    if (notification.seenAt || this.reported.has(notification.id) || !this.store.active) return;
    if (this.document.visibilityState === 'visible') this.enqueue(notification.id);
    else this.waitingForVisible.add(notification.id);
  }

  private enqueue(id: string): void {
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.queue.push(id);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, SEEN_BATCH_INTERVAL_MS);
  }

  private async flush(): Promise<void> {
    const ids = this.queue.splice(0, MAX_SEEN_BATCH);
    this.schedule();
    const session = this.store.session;
    try {
      await this.send(ids);
    } catch {
      if (session === this.store.session) for (const id of ids) this.reported.delete(id);
    }
  }

  private async send(ids: string[]): Promise<void> {
    const socket = this.connection.connectedSocket;
    if (socket) {
      const ack = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(ClientEvent.Seen, { ids })
        .catch(() => null);
      if (ack?.ok) return;
      if (ack) throw new Error(ack.error);
      // No acknowledgement in time: REST decides.
    }
    await firstValueFrom(this.api.markSeen(ids).pipe(takeUntil(this.store.ended$)), { defaultValue: undefined });
  }

  /** The session ended: what was waiting is about a user who is gone (and unreported, should they come back). */
  private reset(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const id of this.queue) this.reported.delete(id);
    this.queue = [];
    this.waitingForVisible.clear();
  }
}
