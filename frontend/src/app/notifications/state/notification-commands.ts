import { HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Router } from '@angular/router';
import { awaitsAcknowledgement, ClientEvent, countsAsUnread, DEFAULT_PAGE_SIZE, NotificationDto, SnoozePayload, SocketError } from '@clinic/contracts';
import { firstValueFrom, Observable, takeUntil } from 'rxjs';

import { inAppUrl } from '../../core/in-app-url';
import { NotificationAnnouncer } from '../alerts/notification-announcer';
import { ToastService } from '../alerts/toast-service';
import { NotificationApi, TriageChange } from '../data/notification-api';
import { ACK_TIMEOUT_MS } from '../data/notification-socket';
import { NotificationConnection } from './notification-connection';
import { NotificationStore } from './notification-store';

export const INBOX_URL = '/notifications';

class NotFound extends Error {}

/**
 * What the user does to their notifications. Each change shows at once and is undone, with an
 * error toast, if the server refuses it; it goes over the socket when that is up (with an
 * acknowledgement), else through REST. Answers that arrive after the user signed out are dropped.
 * Reading a notification that awaits acknowledgement leaves its toast: only acknowledging (or
 * dismissing the toast) takes it away.
 */
@Injectable({ providedIn: 'root' })
export class NotificationCommands {
  private readonly api = inject(NotificationApi);
  private readonly store = inject(NotificationStore);
  private readonly connection = inject(NotificationConnection);
  private readonly announcer = inject(NotificationAnnouncer);
  private readonly toasts = inject(ToastService);
  private readonly router = inject(Router);

  async markAsRead(id: string): Promise<void> {
    const item = this.store.find(id);
    if (item?.readAt) return;
    const previous = item && this.store.change(id, { readAt: new Date().toISOString() });
    if (previous) this.store.setUnreadCount(this.store.unreadCount - 1);
    if (!item || !awaitsAcknowledgement(item)) this.announcer.withdraw(id);
    const session = this.store.session;
    try {
      const updated = await this.sendMarkRead(id);
      if (session === this.store.session) this.store.update(updated);
    } catch (error) {
      if (session !== this.store.session) return;
      if (isNotFound(error)) {
        this.store.remove(id);
      } else if (item && previous) {
        this.store.revert(previous);
        this.store.setUnreadCount(this.store.unreadCount + 1);
        this.toasts.showError(`Could not mark “${item.title}” as read.`);
      }
    }
  }

  async markAllAsRead(): Promise<void> {
    const shown = this.store.list();
    if (this.store.unreadCount === 0 && shown.every((notification) => notification.readAt)) return;
    this.store.markAllRead(new Date().toISOString());
    this.store.setUnreadCount(0);
    for (const notification of shown) if (!awaitsAcknowledgement(notification)) this.announcer.withdraw(notification.id);
    const session = this.store.session;
    try {
      await this.sendMarkAllRead();
    } catch {
      if (session !== this.store.session) return;
      this.connection.refetch('server');
      this.toasts.showError('Could not mark your notifications as read.');
    }
  }

  /** Acknowledges it, which marks it read too; its toast goes here and, through the server, on every device. */
  async acknowledge(id: string): Promise<void> {
    const item = this.store.find(id);
    if (item?.acknowledgedAt) return;
    const wasUnread = !!item && !item.readAt;
    const hadToast = this.toasts.showsNotification(id);
    const now = new Date().toISOString();
    const previous = item && this.store.change(id, wasUnread ? { acknowledgedAt: now, readAt: now } : { acknowledgedAt: now });
    if (previous && wasUnread) this.store.setUnreadCount(this.store.unreadCount - 1);
    this.announcer.withdraw(id);
    const session = this.store.session;
    try {
      const updated = await this.sendAcknowledge(id);
      if (session === this.store.session) this.store.update(updated);
    } catch (error) {
      if (session !== this.store.session) return;
      if (isNotFound(error)) {
        this.store.remove(id);
      } else if (item) {
        if (previous) this.store.revert(previous);
        if (previous && wasUnread) this.store.setUnreadCount(this.store.unreadCount + 1);
        // The alert is still unacknowledged: it must not vanish from the screen.
        if (hadToast) {
          this.toasts.show({ kind: 'notification', title: item.title, message: item.message, priority: item.priority, notification: item });
        }
        this.toasts.showError(`Could not acknowledge “${item.title}”.`);
      }
    }
  }

  /**
   * Triage of one notification: unread, archive, unarchive, snooze until `until`, unsnooze.
   * Shown at once (and the count with it), undone with an error toast if the server refuses.
   */
  async triage(id: string, change: TriageChange, until?: string): Promise<void> {
    const item = this.store.find(id);
    if (!item) return;
    const state = triageState(change, until);
    const previous = this.store.change(id, state);
    const countChange = Number(countsAsUnread({ ...item, ...state }, Date.now())) - Number(countsAsUnread(item, Date.now()));
    if (countChange) this.store.setUnreadCount(this.store.unreadCount + countChange);
    if (change === 'archive' || change === 'snooze') this.announcer.withdraw(id);
    const session = this.store.session;
    try {
      const updated = await this.sendNotificationCommand(TRIAGE_EVENTS[change], id, () => this.api.triage(id, change, until), until);
      if (session === this.store.session) this.store.update(updated);
    } catch (error) {
      if (session !== this.store.session) return;
      if (isNotFound(error)) {
        this.store.remove(id);
        return;
      }
      if (previous) this.store.revert(previous);
      if (countChange) this.store.setUnreadCount(this.store.unreadCount - countChange);
      this.toasts.showError(`Could not ${TRIAGE_VERBS[change]} “${item.title}”.`);
    }
  }

  async delete(id: string): Promise<void> {
    const item = this.store.find(id);
    if (!item) return;
    this.store.remove(id);
    this.announcer.withdraw(id);
    if (!item.readAt) this.store.setUnreadCount(this.store.unreadCount - 1);
    try {
      await firstValueFrom(this.api.delete(id).pipe(takeUntil(this.store.ended$)), { defaultValue: undefined });
    } catch (error) {
      if (isNotFound(error)) return;
      this.store.restore(item);
      if (!item.readAt) this.store.setUnreadCount(this.store.unreadCount + 1);
      this.toasts.showError(`Could not delete “${item.title}”.`);
    }
  }

  /** Fetches the next, older page. */
  async loadMore(): Promise<void> {
    const cursor = this.store.pageCursor;
    if (cursor === null || this.store.loadingMore) return;
    this.store.setLoadingMore(true);
    try {
      const page = await firstValueFrom(
        this.api.list({ cursor, limit: DEFAULT_PAGE_SIZE }).pipe(takeUntil(this.store.ended$)),
        { defaultValue: null },
      );
      if (page) this.store.appendOlder(page);
    } catch {
      this.toasts.showError('Could not load older notifications.');
    } finally {
      this.store.setLoadingMore(false);
    }
  }

  /** Marks the notification read and goes where it points (the inbox when it points nowhere safe). */
  open(notification: NotificationDto | null): void {
    if (!this.store.active) return;
    if (notification) void this.markAsRead(notification.id);
    void this.router.navigateByUrl(inAppUrl(notification?.actionUrl) ?? INBOX_URL);
  }

  private sendMarkRead(id: string): Promise<NotificationDto> {
    return this.sendNotificationCommand(ClientEvent.MarkRead, id, () => this.api.markRead(id));
  }

  private sendAcknowledge(id: string): Promise<NotificationDto> {
    return this.sendNotificationCommand(ClientEvent.Ack, id, () => this.api.acknowledge(id));
  }

  /** A command on one notification: over the socket when it is up, else (or unanswered in time) over REST. */
  private async sendNotificationCommand(
    event: NotificationCommandEvent,
    id: string,
    overRest: () => Observable<NotificationDto>,
    until?: string,
  ): Promise<NotificationDto> {
    const socket = this.connection.connectedSocket;
    if (socket) {
      const ack = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(event as typeof ClientEvent.Snooze, (until === undefined ? { id } : { id, until }) as SnoozePayload)
        .catch(() => null);
      if (ack?.ok) return ack.notification;
      if (ack?.error === SocketError.NotFound) throw new NotFound();
      if (ack) throw new Error(ack.error);
      // No acknowledgement in time: the socket may be half dead; REST decides.
    }
    return firstValueFrom(overRest());
  }

  private async sendMarkAllRead(): Promise<void> {
    const socket = this.connection.connectedSocket;
    if (socket) {
      const ack = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(ClientEvent.MarkAllRead)
        .catch(() => null);
      if (ack?.ok) return;
      if (ack) throw new Error(ack.error);
    }
    await firstValueFrom(this.api.markAllRead());
  }
}

/** The socket events that change one notification and answer `{ ok, notification }`. */
type NotificationCommandEvent = (typeof ClientEvent)['MarkRead' | 'Ack' | 'MarkUnread' | 'Archive' | 'Unarchive' | 'Snooze' | 'Unsnooze'];

const TRIAGE_EVENTS: Readonly<Record<TriageChange, NotificationCommandEvent>> = {
  unread: ClientEvent.MarkUnread,
  archive: ClientEvent.Archive,
  unarchive: ClientEvent.Unarchive,
  snooze: ClientEvent.Snooze,
  unsnooze: ClientEvent.Unsnooze,
};

const TRIAGE_VERBS: Readonly<Record<TriageChange, string>> = {
  unread: 'mark as unread',
  archive: 'archive',
  unarchive: 'move back to the inbox',
  snooze: 'snooze',
  unsnooze: 'end the snooze of',
};

/** What a triage change does to a notification's state, as the server does it (contracts/triage.ts). */
function triageState(change: TriageChange, until: string | undefined): Partial<Pick<NotificationDto, 'readAt' | 'archivedAt' | 'snoozedUntil'>> {
  switch (change) {
    case 'unread':
      return { readAt: null };
    case 'archive':
      return { archivedAt: new Date().toISOString(), snoozedUntil: null };
    case 'unarchive':
      return { archivedAt: null };
    case 'snooze':
      return { snoozedUntil: until ?? null, archivedAt: null };
    case 'unsnooze':
      return { snoozedUntil: null };
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof NotFound || (error instanceof HttpErrorResponse && error.status === 404);
}
