import { DOCUMENT } from '@angular/common';
import { DestroyRef, inject, Injectable, InjectionToken } from '@angular/core';
import {
  ClientEvent,
  DEFAULT_PAGE_SIZE,
  ListingTicket,
  MAX_PAGE_SIZE,
  NewNotificationPayload,
  NotificationDto,
  NotificationPageDto,
  SendUpdatedPayload,
  ServerEvent,
  SessionEndPayload,
  SocketAuth,
  SocketError,
  SyncOutcome,
  SyncPayload,
  UnreadCountDto,
} from '@clinic/contracts';
import { catchError, forkJoin, map, Observable, of, Subject, switchMap, takeUntil, timer } from 'rxjs';

import { AuthService } from '../../core/auth-service';
import { isSettled } from '../alerts/acknowledgement';
import { NotificationAnnouncer } from '../alerts/notification-announcer';
import { ToastService } from '../alerts/toast-service';
import { NotificationApi } from '../data/notification-api';
import { ACK_TIMEOUT_MS, NOTIFICATION_SOCKET_FACTORY, NotificationSocket } from '../data/notification-socket';
import { reconnectDelay } from '../data/reconnect-backoff';
import { NotificationPreferences } from './notification-preferences';
import { NotificationStore } from './notification-store';

/** How often list and count are fetched while the socket is down. Tests override it; nothing else should. */
export const NOTIFICATION_POLL_INTERVAL_MS = new InjectionToken<number>('NOTIFICATION_POLL_INTERVAL_MS', {
  providedIn: 'root',
  factory: () => 60_000,
});

/** Why the first page is fetched again; only a refetch the server asked for reports its failure. */
export type RefreshReason = 'initial' | 'catch-up' | 'poll' | 'server';

interface RefreshResult {
  readonly ticket: ListingTicket;
  readonly page: NotificationPageDto;
  readonly count: UnreadCountDto;
}

/**
 * Keeps the store in step with the server for the signed-in user's session: one Socket.IO
 * connection, REST polling while it is down, and the refetches that catch up.
 *
 * - The socket opens after the first page is loaded and closes on sign-out. Each (re)connection
 *   attempt carries the current access token and the safe cursor, so the server replays exactly
 *   what was missed; every reconnection also refetches the list, for reads and deletions made
 *   elsewhere meanwhile.
 * - A refused handshake (`unauthorized`) or the server ending the socket because the token
 *   expired (`session:end`) leads to one token refresh and a reconnection, with the one back-off
 *   (reconnect-backoff.ts) if that keeps failing. Other drops reconnect with the token as it is,
 *   so a server restart does not make every client spend its refresh token at once. A
 *   `session:end` saying the session was revoked signs the user out.
 * - While the socket is down, list and count are fetched every NOTIFICATION_POLL_INTERVAL_MS; the
 *   moment it is back, polling stops.
 * - Each `notification:new`, live or replayed, is confirmed with `notification:delivered` (the
 *   receipt its send's sender sees), muted or not: it reached the device either way. One the
 *   server already has as delivered (a replay) needs no second confirmation.
 */
@Injectable({ providedIn: 'root' })
export class NotificationConnection {
  private readonly auth = inject(AuthService);
  private readonly api = inject(NotificationApi);
  private readonly store = inject(NotificationStore);
  private readonly announcer = inject(NotificationAnnouncer);
  private readonly preferences = inject(NotificationPreferences);
  private readonly toasts = inject(ToastService);
  private readonly createSocket = inject(NOTIFICATION_SOCKET_FACTORY);
  private readonly pollIntervalMs = inject(NOTIFICATION_POLL_INTERVAL_MS);
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly sendUpdated = new Subject<SendUpdatedPayload>();

  /** `send:updated`: a send's receipt counts changed (the sender's and admins' sockets get it). */
  readonly sendUpdates$: Observable<SendUpdatedPayload> = this.sendUpdated.asObservable();

  // ---- the session's connection; reset by stop() ----------------------------------------------
  private active = false;
  private socket: NotificationSocket | null = null;
  /** The socket being built (its client is imported on first use); replaced or dropped by stop(). */
  private opening: PromiseLike<NotificationSocket> | null = null;
  private readonly refreshes = new Subject<RefreshReason>();
  private connectedBefore = false;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private reauthenticating = false;
  private failedAttempts = 0;
  /** The server announced it ends the socket because the access token expired. */
  private tokenExpired = false;

  constructor() {
    const onOnline = () => this.browserOnline();
    const onOffline = () => this.browserOffline();
    this.window?.addEventListener('online', onOnline);
    this.window?.addEventListener('offline', onOffline);
    inject(DestroyRef).onDestroy(() => {
      this.window?.removeEventListener('online', onOnline);
      this.window?.removeEventListener('offline', onOffline);
    });
  }

  /** The socket when it is connected: commands go over it, with an acknowledgement. */
  get connectedSocket(): NotificationSocket | null {
    return this.socket?.connected ? this.socket : null;
  }

  start(): void {
    this.active = true;
    this.store.begin({ sync: (request) => this.sendSync(request), refetch: () => this.refetch('catch-up') });
    this.store.setConnectionState(this.isOnline() ? 'reconnecting' : 'offline');
    this.refreshes
      .pipe(
        switchMap((reason) => this.fetchFirstPage(reason)),
        takeUntil(this.store.ended$),
      )
      .subscribe((result) => {
        if (result) {
          const fresh = this.store.applyFirstPage(result.ticket, result.page, result.count.count);
          this.announcer.caughtUp(this.worthAnnouncing(fresh), (notification) => this.store.isUnread(notification.id));
        } else {
          this.store.firstPageFailed();
          this.announcer.caughtUp([], (notification) => this.store.isUnread(notification.id));
        }
        // The socket opens once the first page is known, so its handshake carries that page's
        // highest seq and the server replays whatever was created in between.
        if (!this.socket && !this.opening) this.openSocket();
      });
    this.preferences
      .load()
      .pipe(takeUntil(this.store.ended$))
      .subscribe({ error: () => undefined });
    this.refetch('initial');
  }

  /** Ends the session: closes the socket, stops every timer, and forgets what it held. */
  stop(): void {
    this.active = false;
    this.store.end();
    this.stopPolling();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.reauthenticating = false;
    this.opening = null;
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
      this.socket = null;
    }
    this.connectedBefore = false;
    this.failedAttempts = 0;
    this.tokenExpired = false;
    this.announcer.reset();
    this.preferences.reset();
  }

  /** Fetches the first page and the count again. */
  refetch(reason: RefreshReason): void {
    this.refreshes.next(reason);
  }

  // ---- socket ------------------------------------------------------------------------------------

  private openSocket(): void {
    const opening = this.createSocket(() => this.handshakeAuth());
    this.opening = opening;
    opening.then(
      (socket) => {
        // Signed out (and maybe in again) while it was built: that session's socket is not opened.
        if (this.opening !== opening) return;
        this.opening = null;
        this.listen(socket);
      },
      (error: unknown) => {
        // Its code could not be fetched (the network went between the first page and now): the
        // REST API is polled meanwhile, as for a lost socket, and it is tried again later.
        if (this.opening !== opening) return;
        this.opening = null;
        console.error(error);
        this.startPolling();
        this.retryLater(() => {
          if (this.active && !this.socket && !this.opening) this.openSocket();
        });
      },
    );
  }

  private listen(socket: NotificationSocket): void {
    this.socket = socket;
    socket.on('connect', () => this.connected());
    socket.on('disconnect', (reason) => this.disconnected(reason));
    socket.on('connect_error', (error) => this.refused(error));
    socket.on(ServerEvent.New, (payload) => this.received(payload));
    socket.on(ServerEvent.Updated, (notification) => this.updated(notification));
    socket.on(ServerEvent.Reminder, (notification) => this.reminded(notification));
    socket.on(ServerEvent.Deleted, ({ id }) => this.deleted(id));
    socket.on(ServerEvent.UnreadCount, ({ count }) => this.store.setUnreadCount(count));
    socket.on(ServerEvent.Refresh, () => this.refetch('server'));
    socket.on(ServerEvent.Resync, () => void this.store.resync());
    socket.on(ServerEvent.ReadAck, ({ id, readAt }) => this.store.acknowledgeRead(id, readAt));
    socket.on(ServerEvent.SendUpdated, (payload) => this.sendUpdated.next(payload));
    socket.on(ServerEvent.SessionEnd, (payload) => this.sessionEnded(payload));
    socket.connect();
  }

  private handshakeAuth(): SocketAuth {
    const token = this.auth.accessToken() ?? '';
    const lastSeq = this.store.cursor;
    return lastSeq === null ? { token } : { token, lastSeq };
  }

  private async sendSync(request: SyncPayload): Promise<SyncOutcome> {
    const socket = this.connectedSocket;
    if (!socket) return 'not-connected';
    return socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck(ClientEvent.Sync, request)
      .catch((): SyncOutcome => 'unanswered');
  }

  private connected(): void {
    this.failedAttempts = 0;
    this.stopPolling();
    this.store.setConnectionState('connected');
    if (this.connectedBefore || !this.store.loaded) {
      // Back after being disconnected: the server replays what was created meanwhile, but reads
      // and deletions made on other devices are only in a fresh copy of the list.
      this.announcer.catchUp();
      this.refetch('catch-up');
    }
    this.connectedBefore = true;
  }

  private disconnected(reason: string): void {
    if (reason === 'io client disconnect') return;
    if (reason === 'io server disconnect') {
      // The server ended this socket, and socket.io does not retry that by itself.
      if (this.tokenExpired) {
        this.tokenExpired = false;
        this.reauthenticate();
      } else {
        this.startPolling();
        this.retryLater(() => this.socket?.connect());
      }
      return;
    }
    // Network or server trouble: socket.io retries with back-off; meanwhile the REST API is polled.
    this.startPolling();
  }

  private refused(error: Error): void {
    if (error.message === SocketError.Unauthorized) {
      this.reauthenticate();
      return;
    }
    this.startPolling();
    // socket.io retries transport failures itself; a refusal by the server it leaves to us.
    if (!this.socket?.active) this.retryLater(() => this.socket?.connect());
  }

  /** Said just before the server ends the socket. */
  private sessionEnded({ reason }: SessionEndPayload): void {
    if (reason === SocketError.SessionRevoked) {
      // Signed out on the server (another tab, a password change, deactivation…): a refresh
      // would be refused, so neither reconnect nor poll, and sign out here too.
      this.stop();
      this.auth.endRevokedSession();
      return;
    }
    this.tokenExpired = reason === SocketError.TokenExpired;
    this.store.setConnectionState('reconnecting');
  }

  /** Gets a fresh access token, then reconnects; repeated failures wait longer each time. */
  private reauthenticate(): void {
    if (this.reauthenticating) return;
    const delay = this.failedAttempts === 0 ? 0 : reconnectDelay(this.failedAttempts);
    this.failedAttempts++;
    const freshToken$ = delay === 0 ? this.auth.refresh() : timer(delay).pipe(switchMap(() => this.auth.refresh()));
    this.reauthenticating = true;
    freshToken$.pipe(takeUntil(this.store.ended$)).subscribe({
      next: () => {
        this.reauthenticating = false;
        this.socket?.connect();
      },
      error: () => {
        this.reauthenticating = false;
        // A refused refresh token ends the session (AuthService signs out, and stop() follows);
        // an unreachable server is polled until a later attempt succeeds.
        if (this.auth.isAuthenticated()) {
          this.startPolling();
          this.reauthenticate();
        }
      },
    });
  }

  private retryLater(attempt: () => void): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      attempt();
    }, reconnectDelay(++this.failedAttempts));
  }

  // ---- server events -------------------------------------------------------------------------------

  private received(payload: NewNotificationPayload): void {
    if (!payload.deliveredAt) this.confirmDelivery(payload.id);
    const received = this.store.receive(payload);
    if (received?.isNew && !received.notification.readAt && !payload.muted) this.announcer.arrived(received.notification);
  }

  private updated(notification: NotificationDto): void {
    // Read elsewhere takes a toast away, unless it awaits acknowledgement: that takes acknowledging.
    if (isSettled(notification)) this.announcer.withdraw(notification.id);
    this.store.update(notification);
  }

  /** A snooze ended: back in the inbox, and told to the user as a new one is (once per device). */
  private reminded(notification: NotificationDto): void {
    this.store.update(notification);
    if (!notification.readAt && !notification.archivedAt) this.announcer.arrived(notification);
  }

  /** Fire and forget: a lost receipt is no reason to bother the user. */
  private confirmDelivery(id: string): void {
    this.socket?.timeout(ACK_TIMEOUT_MS).emit(ClientEvent.Delivered, { id }, () => undefined);
  }

  private deleted(id: string): void {
    this.store.remove(id);
    this.announcer.withdraw(id);
  }

  // ---- polling and refetching ----------------------------------------------------------------------

  private startPolling(): void {
    if (!this.isOnline()) {
      this.stopPolling();
      this.store.setConnectionState('offline');
      return;
    }
    this.store.setConnectionState('polling');
    this.pollTimer ??= setInterval(() => this.refetch('poll'), this.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private browserOffline(): void {
    if (!this.active || this.socket?.connected) return;
    this.stopPolling();
    this.store.setConnectionState('offline');
  }

  private browserOnline(): void {
    if (!this.active || !this.socket || this.socket.connected) return;
    this.startPolling();
    this.refetch('poll');
    // Start over without waiting out the back-off accumulated while the network was gone.
    this.socket.disconnect();
    this.socket.connect();
  }

  /** The first page again (as many items as are shown, within the server's page limit) and the count. */
  private fetchFirstPage(reason: RefreshReason): Observable<RefreshResult | null> {
    const ticket = this.store.listingRequested();
    if (!ticket) return of(null);
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(DEFAULT_PAGE_SIZE, this.store.size));
    return forkJoin([this.api.list({ limit }), this.api.unreadCount()]).pipe(
      map(([page, count]) => ({ ticket, page, count })),
      catchError(() => {
        if (reason === 'server') this.toasts.showError($localize`:@@toast.refreshFailed:Could not refresh your notifications.`);
        return of(null);
      }),
    );
  }

  /** New, unread, and of a type the user did not mute: a refetch found it instead of a push. */
  private worthAnnouncing(fresh: readonly NotificationDto[]): NotificationDto[] {
    return fresh.filter((notification) => !notification.readAt && !this.preferences.isMuted(notification));
  }

  private isOnline(): boolean {
    return this.window?.navigator.onLine ?? true;
  }
}
