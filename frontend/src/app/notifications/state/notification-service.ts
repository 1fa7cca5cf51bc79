import { DestroyRef, effect, inject, Injectable, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { NotificationDto, SendUpdatedPayload, StateChange } from '@clinic/contracts';
import { Observable } from 'rxjs';

import { AuthService } from '../../core/auth-service';
import { NotificationAnnouncer } from '../alerts/notification-announcer';
import { NotificationCommands } from './notification-commands';
import { NotificationConnection } from './notification-connection';
import { ConnectionState, LoadStatus, NotificationStore } from './notification-store';
import { SeenReceipts } from './seen-receipts';
import { UndoService } from './undo';

/**
 * The signed-in user's notifications, live: what the bell, the inbox, the toasts and other pages
 * use. A facade over four parts:
 *
 * - NotificationStore: the state, as BehaviorSubjects, under the contract's catch-up rules;
 * - NotificationConnection: the socket, polling and the reconnection back-off;
 * - NotificationCommands: read, read all, acknowledge, triage, bulk, delete (with undo), load more, open;
 * - SeenReceipts: the batched `seenAt` receipts of what was shown.
 *
 * It follows the signed-in user: a session starts when someone signs in and ends, forgetting
 * everything, when they sign out or another user signs in.
 */
@Injectable({ providedIn: 'root' })
export class NotificationService {
  private readonly store = inject(NotificationStore);
  private readonly connection = inject(NotificationConnection);
  private readonly commands = inject(NotificationCommands);
  private readonly seen = inject(SeenReceipts);
  private readonly undo = inject(UndoService);
  private userId: string | null = null;

  /** Newest first (by seq). */
  readonly notifications$: Observable<readonly NotificationDto[]> = this.store.notifications$;
  readonly unreadCount$: Observable<number> = this.store.unreadCount$;
  readonly connectionState$: Observable<ConnectionState> = this.store.connectionState$;
  /** Older pages can be loaded. */
  readonly hasMore$: Observable<boolean> = this.store.hasMore$;
  readonly loadStatus$: Observable<LoadStatus> = this.store.loadStatus$;
  readonly loadingMore$: Observable<boolean> = this.store.loadingMore$;
  /** Each notification that appears after the first load, however it was delivered. */
  readonly arrivals$: Observable<NotificationDto> = this.store.arrivals$;
  /** `send:updated` over this user's live connection: receipt counts of a send they may watch. */
  readonly sendUpdates$: Observable<SendUpdatedPayload> = this.connection.sendUpdates$;

  constructor() {
    const auth = inject(AuthService);
    effect(() => {
      const userId = auth.user()?.id ?? null;
      untracked(() => this.follow(userId));
    });
    inject(NotificationAnnouncer)
      .opened$.pipe(takeUntilDestroyed())
      .subscribe((notification) => this.open(notification));
    inject(DestroyRef).onDestroy(() => this.connection.stop());
  }

  markAsRead(id: string): Promise<void> {
    return this.commands.markAsRead(id);
  }

  markAllAsRead(): Promise<void> {
    return this.commands.markAllAsRead();
  }

  /** For a notification sent with `requireAck` (every CRITICAL one); marks it read too. */
  acknowledge(id: string): Promise<void> {
    return this.commands.acknowledge(id);
  }

  /** It is on screen now: its `seenAt` receipt goes to the server with the next batch. */
  reportSeen(notification: NotificationDto): void {
    this.seen.saw(notification);
  }

  /** Gone from every list at once; deleted on the server when the 5 s to undo it have passed. */
  delete(ids: readonly string[]): void {
    this.commands.delete(ids);
  }

  /** One change for several (the inbox's selection). */
  bulk(change: StateChange, ids: readonly string[], until?: string): Promise<void> {
    return this.commands.bulk(change, ids, until);
  }

  markAsUnread(id: string): Promise<void> {
    return this.commands.triage(id, 'unread');
  }

  /** Out of the inbox and its count; `unarchive` brings it back. */
  archive(id: string): Promise<void> {
    return this.commands.triage(id, 'archive');
  }

  unarchive(id: string): Promise<void> {
    return this.commands.triage(id, 'unarchive');
  }

  /** Out of the inbox until `until` (ISO), then back on every device with a reminder. */
  snooze(id: string, until: string): Promise<void> {
    return this.commands.triage(id, 'snooze', until);
  }

  unsnooze(id: string): Promise<void> {
    return this.commands.triage(id, 'unsnooze');
  }

  /** Fetches the next, older page; with `matching`, reads on until it finds more that match. */
  loadMore(matching?: (notification: NotificationDto) => boolean): Promise<void> {
    return this.commands.loadMore(matching);
  }

  /** Marks the notification read and goes where it points (the inbox when it points nowhere safe). */
  open(notification: NotificationDto | null): void {
    this.commands.open(notification);
  }

  private follow(userId: string | null): void {
    if (userId === this.userId) return;
    // The session's token is gone: a delete still waiting for its undo window is not sent.
    this.undo.drop();
    this.connection.stop();
    this.userId = userId;
    if (userId) this.connection.start();
  }
}
