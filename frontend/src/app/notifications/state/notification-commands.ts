import { HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Router } from '@angular/router';
import {
  awaitsAcknowledgement,
  BulkActionResult,
  ClientEvent,
  countsAsUnread,
  DEFAULT_PAGE_SIZE,
  MAX_BULK_IDS,
  MAX_PAGE_SIZE,
  NotificationDto,
  SnoozePayload,
  SocketError,
  stateAfter,
  StateChange,
} from '@clinic/contracts';
import { firstValueFrom, Observable, takeUntil } from 'rxjs';

import { inAppUrl } from '../../core/in-app-url';
import { NotificationAnnouncer } from '../alerts/notification-announcer';
import { ToastService } from '../alerts/toast-service';
import { NotificationApi, TriageChange } from '../data/notification-api';
import { ACK_TIMEOUT_MS } from '../data/notification-socket';
import { NotificationConnection } from './notification-connection';
import { NotificationStore } from './notification-store';
import { UndoService } from './undo';

export const INBOX_URL = '/notifications';

/** A filtered "Load more" reads at most this many full pages before it stops to show what it found. */
export const MAX_PAGES_PER_SEARCH = 5;

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
  private readonly undo = inject(UndoService);

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
        this.toasts.showError($localize`:@@toast.markReadFailed:Could not mark “${item.title}:TITLE:” as read.`);
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
      this.toasts.showError($localize`:@@toast.markAllReadFailed:Could not mark your notifications as read.`);
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
        this.toasts.showError($localize`:@@toast.acknowledgeFailed:Could not acknowledge “${item.title}:TITLE:”.`);
      }
    }
  }

  /**
   * Triage of one notification: unread, archive, unarchive, snooze until `until`, unsnooze.
   * Shown at once (and the count with it), undone with an error toast if the server refuses.
   * An archive can be undone for 5 s.
   */
  async triage(id: string, change: TriageChange, until?: string): Promise<void> {
    const item = this.store.find(id);
    if (!item) return;
    const countChange = this.show([item], change, until);
    const session = this.store.session;
    const sent = this.sendNotificationCommand(TRIAGE_EVENTS[change], id, () => this.api.triage(id, change, until), until);
    const undo = change === 'archive' ? this.offerUndoOfArchive([item], sent) : null;
    try {
      const updated = await sent;
      if (session === this.store.session) this.store.update(updated);
    } catch (error) {
      if (session !== this.store.session) return;
      if (undo !== null) this.undo.withdraw(undo);
      if (isNotFound(error)) {
        this.store.remove(id);
        return;
      }
      this.revert([item], countChange, session);
      this.toasts.showError(TRIAGE_FAILED[change](item.title));
    }
  }

  /**
   * The same change for several (the inbox's selection), in requests of at most `MAX_BULK_IDS`.
   * Alerts awaiting acknowledgement are left as they are by archive and snooze (the inbox says so
   * before). Where one request fails, its notifications alone go back to how they were.
   */
  async bulk(change: StateChange, ids: readonly string[], until?: string): Promise<void> {
    const hides = change === 'archive' || change === 'snooze';
    const items = ids
      .map((id) => this.store.find(id))
      .filter((item): item is NotificationDto => !!item && !(hides && awaitsAcknowledgement(item)));
    if (items.length === 0) return;
    const countChange = this.show(items, change, until);
    const session = this.store.session;
    const sent = this.sendBulk(change, items, until);
    const undo = change === 'archive' ? this.offerUndoOfArchive(items, sent) : null;
    const outcomes = await sent;
    if (session !== this.store.session) return;
    const failed = outcomes.filter((outcome) => !outcome.result).flatMap((outcome) => outcome.items);
    for (const { result } of outcomes) {
      for (const notification of result?.updated ?? []) this.store.update(notification);
      for (const { id, reason } of result?.skipped ?? []) {
        if (reason === 'not-found') this.store.remove(id);
        else failed.push(...items.filter((item) => item.id === id));
      }
    }
    if (failed.length === 0) return;
    if (undo !== null && failed.length === items.length) this.undo.withdraw(undo);
    this.revert(failed, failed.length === items.length ? countChange : null, session);
    if (outcomes.some((outcome) => !outcome.result)) {
      this.toasts.showError(failed.length === 1 ? TRIAGE_FAILED[change](failed[0].title) : BULK_FAILED[change](failed.length));
    }
  }

  /**
   * Takes them off every list at once and offers "Undo" for 5 s; the server deletes them when
   * that window closes (on every device then). Alerts awaiting acknowledgement cannot be deleted.
   */
  delete(ids: readonly string[]): void {
    const items = ids
      .map((id) => this.store.find(id))
      .filter((item): item is NotificationDto => !!item && !awaitsAcknowledgement(item));
    if (items.length === 0) return;
    const now = Date.now();
    const unread = items.filter((item) => countsAsUnread(item, now)).length;
    for (const item of items) {
      this.store.remove(item.id);
      this.announcer.withdraw(item.id);
    }
    if (unread) this.store.setUnreadCount(this.store.unreadCount - unread);
    const session = this.store.session;
    this.undo.offer({
      message:
        items.length === 1
          ? $localize`:@@toast.deletedOne:Deleted “${items[0].title}:TITLE:”`
          : $localize`:@@toast.deletedMany:Deleted ${items.length}:COUNT: notifications`,
      undo: () => {
        if (session !== this.store.session) return;
        for (const item of items) this.store.restore(item);
        // The server never deleted them: its count is the truth (a count pushed meanwhile left them out).
        this.store.setUnreadCount(this.store.unreadCount + unread);
        void this.refreshCount(session);
      },
      commit: () => void this.sendDelete(items, session),
    });
  }

  /**
   * Fetches the next, older page. With `matching` (the inbox's filters and search, which apply
   * to what this tab holds), it reads on, full pages at a time, until it found a page's worth of
   * matches, read `MAX_PAGES_PER_SEARCH` pages, or reached the end.
   */
  async loadMore(matching?: (notification: NotificationDto) => boolean): Promise<void> {
    if (this.store.pageCursor === null || this.store.loadingMore) return;
    this.store.setLoadingMore(true);
    const session = this.store.session;
    try {
      let found = 0;
      for (let pages = 0; pages < (matching ? MAX_PAGES_PER_SEARCH : 1); pages++) {
        const cursor = this.store.pageCursor;
        if (cursor === null || session !== this.store.session) break;
        const page = await firstValueFrom(
          this.api.list({ cursor, limit: matching ? MAX_PAGE_SIZE : DEFAULT_PAGE_SIZE }).pipe(takeUntil(this.store.ended$)),
          { defaultValue: null },
        );
        if (!page) break;
        this.store.appendOlder(page);
        found += matching ? page.items.filter(matching).length : page.items.length;
        if (found >= DEFAULT_PAGE_SIZE) break;
      }
    } catch {
      this.toasts.showError($localize`:@@toast.loadMoreFailed:Could not load older notifications.`);
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

  /** Shows `change` on `items` at once, with the count; returns how the count changed, for `revert`. */
  private show(items: readonly NotificationDto[], change: StateChange, until: string | undefined): number {
    const now = Date.now();
    const state = stateAfter(change, new Date(now).toISOString(), until);
    let countChange = 0;
    for (const item of items) {
      this.store.change(item.id, state);
      countChange += Number(countsAsUnread({ ...item, ...state }, now)) - Number(countsAsUnread(item, now));
      if (change === 'archive' || change === 'snooze') this.announcer.withdraw(item.id);
    }
    if (countChange) this.store.setUnreadCount(this.store.unreadCount + countChange);
    return countChange;
  }

  /**
   * The server refused: back to the copies `show` replaced, unless newer ones came meanwhile.
   * The count goes back by `countChange` when all of the change failed; after a partial failure
   * it is asked from the server, which alone knows what went through.
   */
  private revert(items: readonly NotificationDto[], countChange: number | null, session: number): void {
    for (const item of items) this.store.revert(item);
    if (countChange === null) void this.refreshCount(session);
    else if (countChange) this.store.setUnreadCount(this.store.unreadCount - countChange);
  }

  /** The unread count as the server has it now. */
  private async refreshCount(session: number): Promise<void> {
    const answer = await firstValueFrom(this.api.unreadCount().pipe(takeUntil(this.store.ended$)), { defaultValue: null }).catch(() => null);
    if (answer && session === this.store.session) this.store.setUnreadCount(answer.count);
  }

  /** "Undo" for an archive: once the archive has been answered, it is moved back to the inbox. */
  private offerUndoOfArchive(items: readonly NotificationDto[], archived: Promise<unknown>): number {
    const ids = items.map((item) => item.id);
    return this.undo.offer({
      message:
        items.length === 1
          ? $localize`:@@toast.archivedOne:Archived “${items[0].title}:TITLE:”`
          : $localize`:@@toast.archivedMany:Archived ${items.length}:COUNT: notifications`,
      undo: () =>
        void archived.then(
          () => (ids.length === 1 ? this.triage(ids[0], 'unarchive') : this.bulk('unarchive', ids)),
          () => undefined,
        ),
    });
  }

  /** The undo window closed: deleted on the server. Those it did not delete come back, with the server's count. */
  private async sendDelete(items: readonly NotificationDto[], session: number): Promise<void> {
    const outcomes = await this.sendBulk('delete', items, undefined, true);
    if (session !== this.store.session) return;
    const back = outcomes.filter((outcome) => !outcome.result).flatMap((outcome) => outcome.items);
    for (const { result } of outcomes) {
      // Gone already ('not-found') is just gone; any other skip is one the server kept.
      for (const { id, reason } of result?.skipped ?? []) if (reason !== 'not-found') back.push(...items.filter((item) => item.id === id));
    }
    if (back.length === 0) return;
    for (const item of back) this.store.restore(item);
    void this.refreshCount(session);
    if (outcomes.some((outcome) => !outcome.result)) {
      this.toasts.showError(
        back.length === 1
          ? $localize`:@@toast.deleteFailedOne:Could not delete “${back[0].title}:TITLE:”.`
          : $localize`:@@toast.deleteFailedMany:Could not delete ${back.length}:COUNT: notifications.`,
      );
    }
  }

  /**
   * `POST /notifications/bulk`, `MAX_BULK_IDS` at a time; each request's answer, or null where
   * it failed. A delete goes with `keepalive`: its undo window may close because the tab is
   * closing, and the request must outlive the page (browsers allow 64 KiB of such bodies, which
   * one request of 100 ids stays well within).
   */
  private sendBulk(
    action: StateChange | 'delete',
    items: readonly NotificationDto[],
    until?: string,
    keepalive = false,
  ): Promise<Array<{ items: readonly NotificationDto[]; result: BulkActionResult | null }>> {
    const requests: Array<Promise<{ items: readonly NotificationDto[]; result: BulkActionResult | null }>> = [];
    for (let start = 0; start < items.length; start += MAX_BULK_IDS) {
      const chunk = items.slice(start, start + MAX_BULK_IDS);
      const ids = chunk.map((item) => item.id);
      const request = until === undefined ? { action, ids } : { action, ids, until };
      requests.push(
        firstValueFrom(this.api.bulk(request, keepalive)).then(
          (result) => ({ items: chunk, result }),
          () => ({ items: chunk, result: null }),
        ),
      );
    }
    return Promise.all(requests);
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

/** Whole sentences per change (not a verb put into one), so that each language can word them. */
const TRIAGE_FAILED: Readonly<Record<StateChange, (title: string) => string>> = {
  read: (title) => $localize`:@@toast.triageReadFailed:Could not mark as read “${title}:TITLE:”.`,
  unread: (title) => $localize`:@@toast.triageUnreadFailed:Could not mark as unread “${title}:TITLE:”.`,
  archive: (title) => $localize`:@@toast.triageArchiveFailed:Could not archive “${title}:TITLE:”.`,
  unarchive: (title) => $localize`:@@toast.triageUnarchiveFailed:Could not move back to the inbox “${title}:TITLE:”.`,
  snooze: (title) => $localize`:@@toast.triageSnoozeFailed:Could not snooze “${title}:TITLE:”.`,
  unsnooze: (title) => $localize`:@@toast.triageUnsnoozeFailed:Could not end the snooze of “${title}:TITLE:”.`,
};

/** The same for several at once: always two or more, the plural form only. */
const BULK_FAILED: Readonly<Record<StateChange, (count: number) => string>> = {
  read: (count) => $localize`:@@toast.bulkReadFailed:Could not mark as read ${count}:COUNT: notifications.`,
  unread: (count) => $localize`:@@toast.bulkUnreadFailed:Could not mark as unread ${count}:COUNT: notifications.`,
  archive: (count) => $localize`:@@toast.bulkArchiveFailed:Could not archive ${count}:COUNT: notifications.`,
  unarchive: (count) => $localize`:@@toast.bulkUnarchiveFailed:Could not move back to the inbox ${count}:COUNT: notifications.`,
  snooze: (count) => $localize`:@@toast.bulkSnoozeFailed:Could not snooze ${count}:COUNT: notifications.`,
  unsnooze: (count) => $localize`:@@toast.bulkUnsnoozeFailed:Could not end the snooze of ${count}:COUNT: notifications.`,
};

function isNotFound(error: unknown): boolean {
  return error instanceof NotFound || (error instanceof HttpErrorResponse && error.status === 404);
}
