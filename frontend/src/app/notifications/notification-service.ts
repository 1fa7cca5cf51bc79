import { DOCUMENT } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, effect, inject, Injectable, InjectionToken, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import {
  Ack,
  ClientEvent,
  DeletedPayload,
  NewNotificationPayload,
  NotificationDto,
  NotificationPageDto,
  ReadAckPayload,
  ServerEvent,
  SessionEndPayload,
  SocketAuth,
  SocketError,
  SyncResult,
  UnreadCountDto,
} from '@clinic/contracts';
import {
  BehaviorSubject,
  catchError,
  distinctUntilChanged,
  firstValueFrom,
  forkJoin,
  map,
  Observable,
  of,
  Subject,
  switchMap,
  takeUntil,
  timer,
} from 'rxjs';

import { AuthService } from '../core/auth-service';
import { inAppUrl } from './in-app-url';
import { MAX_PAGE_SIZE, NotificationApi } from './notification-api';
import { NotificationAnnouncer } from './notification-announcer';
import { NotificationPreferences } from './notification-preferences';
import { NOTIFICATION_SOCKET_FACTORY, NotificationSocket, RECONNECT_BACKOFF } from './notification-socket';
import { compareSeq, maxSeq } from './seq';
import { ToastService } from './toast-service';

export type ConnectionState = 'connected' | 'reconnecting' | 'polling' | 'offline';
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** How often list and count are fetched while the socket is down. Tests override it; nothing else should. */
export const NOTIFICATION_POLL_INTERVAL_MS = new InjectionToken<number>('NOTIFICATION_POLL_INTERVAL_MS', {
  providedIn: 'root',
  factory: () => 60_000,
});

export const PAGE_SIZE = 20;
export const INBOX_URL = '/notifications';
const ACK_TIMEOUT_MS = 5_000;
const MAX_RETRY_DELAY_MS = 30_000;
/** A notification missing from the chain this long is asked for (it may just be late). */
const GAP_GRACE_MS = 2_000;

type RefreshReason = 'initial' | 'catch-up' | 'poll' | 'server';

interface RefreshResult {
  readonly page: NotificationPageDto;
  readonly count: UnreadCountDto;
  /** The newest listed when the refetch was asked for: anything newer arrived meanwhile. */
  readonly newestAtRequest: string | null;
}

class NotFound extends Error {}

/**
 * The signed-in user's notifications, live. It owns the state (as BehaviorSubjects) that the bell,
 * the inbox and the toasts render, keeps it in step with the server over a Socket.IO connection,
 * and falls back to polling the REST API while that connection is down.
 *
 * - One socket per signed-in user, opened after the first page is loaded and closed on sign-out.
 *   Each (re)connection attempt carries the current access token and the safe cursor, so the
 *   server replays exactly what was missed; items are de-duplicated by id.
 * - The safe cursor is the seq up to which this tab has every notification of the user. Each
 *   `notification:new` names the seq before it (`prevSeq`), so the cursor only moves over an
 *   unbroken chain; a link still missing after GAP_GRACE_MS, or the server's
 *   `notification:resync`, makes the client `sync` from the cursor.
 * - A refused handshake (`unauthorized`) or the server ending the socket because the token
 *   expired (`session:end`) leads to one token refresh and a reconnection, with back-off if that
 *   keeps failing. Other drops reconnect with the token as it is, so a server restart does not
 *   make every client spend its refresh token at once. A `session:end` saying the session was
 *   revoked signs the user out.
 * - While the socket is down, list and count are fetched every NOTIFICATION_POLL_INTERVAL_MS; the
 *   moment it is back, polling stops and the list is refetched to pick up reads and deletions
 *   made elsewhere meanwhile.
 */
@Injectable({ providedIn: 'root' })
export class NotificationService {
  private readonly auth = inject(AuthService);
  private readonly api = inject(NotificationApi);
  private readonly router = inject(Router);
  private readonly announcer = inject(NotificationAnnouncer);
  private readonly preferences = inject(NotificationPreferences);
  private readonly toasts = inject(ToastService);
  private readonly createSocket = inject(NOTIFICATION_SOCKET_FACTORY);
  private readonly pollIntervalMs = inject(NOTIFICATION_POLL_INTERVAL_MS);
  private readonly window = inject(DOCUMENT).defaultView;

  private readonly items = new BehaviorSubject<readonly NotificationDto[]>([]);
  private readonly count = new BehaviorSubject(0);
  private readonly state = new BehaviorSubject<ConnectionState>('offline');
  private readonly cursor = new BehaviorSubject<string | null>(null);
  private readonly status = new BehaviorSubject<LoadStatus>('idle');
  private readonly moreLoading = new BehaviorSubject(false);
  private readonly arrived = new Subject<NotificationDto>();

  /** Newest first (by seq). */
  readonly notifications$: Observable<readonly NotificationDto[]> = this.items.asObservable();
  readonly unreadCount$: Observable<number> = this.count.pipe(distinctUntilChanged());
  readonly connectionState$: Observable<ConnectionState> = this.state.pipe(distinctUntilChanged());
  readonly hasMore$: Observable<boolean> = this.cursor.pipe(
    map((cursor) => cursor !== null),
    distinctUntilChanged(),
  );
  readonly loadStatus$: Observable<LoadStatus> = this.status.pipe(distinctUntilChanged());
  readonly loadingMore$: Observable<boolean> = this.moreLoading.pipe(distinctUntilChanged());
  /** Each notification that appears after the first load, however it was delivered. */
  readonly arrivals$: Observable<NotificationDto> = this.arrived.asObservable();

  // ---- the signed-in user's session; reset by stop() -----------------------------------
  private userId: string | null = null;
  /**
   * Counts sessions: an answer that arrives after stop() belongs to a session that is over, and
   * must not reach the next user's state or screen.
   */
  private session = 0;
  private socket: NotificationSocket | null = null;
  private readonly ended = new Subject<void>();
  private readonly refreshes = new Subject<RefreshReason>();
  /** Every notification of the user's up to this seq has reached this tab (null: nothing loaded yet). */
  private safeSeq: string | null = null;
  /** Received ahead of a missing one: prevSeq → seq, joined to the cursor once the gap closes. */
  private readonly chain = new Map<string, string>();
  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly knownIds = new Set<string>();
  /** Deleted here or elsewhere: a refetch that was already under way must not bring them back. */
  private readonly deletedIds = new Set<string>();
  private loaded = false;
  private connectedBefore = false;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private reauthenticating = false;
  private failedAttempts = 0;
  /** The server announced it ends the socket because the access token expired. */
  private tokenExpired = false;
  /** After a reconnection, announcements wait for the catch-up so a backlog gives one summary. */
  private catchingUp = false;
  private pendingAnnouncements: NotificationDto[] = [];

  constructor() {
    effect(() => {
      const userId = this.auth.user()?.id ?? null;
      untracked(() => this.follow(userId));
    });
    const onOnline = () => this.browserOnline();
    const onOffline = () => this.browserOffline();
    this.window?.addEventListener('online', onOnline);
    this.window?.addEventListener('offline', onOffline);
    this.announcer.opened$.pipe(takeUntilDestroyed()).subscribe((notification) => this.open(notification));
    inject(DestroyRef).onDestroy(() => {
      this.window?.removeEventListener('online', onOnline);
      this.window?.removeEventListener('offline', onOffline);
      this.stop();
      this.ended.complete();
    });
  }

  // ---- actions ---------------------------------------------------------------------------

  async markAsRead(id: string): Promise<void> {
    const item = this.items.value.find((notification) => notification.id === id);
    if (item?.readAt) return;
    const readAt = new Date().toISOString();
    if (item) {
      this.patch(id, { readAt });
      this.count.next(Math.max(0, this.count.value - 1));
    }
    this.announcer.withdraw(id);
    const session = this.session;
    try {
      const updated = await this.sendMarkRead(id);
      if (session === this.session) this.merge([updated]);
    } catch (error) {
      if (session !== this.session) return;
      if (isNotFound(error)) {
        this.forget(id);
      } else if (item) {
        this.patch(id, { readAt: null });
        this.count.next(this.count.value + 1);
        this.reportFailure(`Could not mark “${item.title}” as read.`);
      }
    }
  }

  async markAllAsRead(): Promise<void> {
    if (this.count.value === 0 && this.items.value.every((notification) => notification.readAt)) return;
    const readAt = new Date().toISOString();
    this.items.next(this.items.value.map((notification) => (notification.readAt ? notification : { ...notification, readAt })));
    this.count.next(0);
    for (const notification of this.items.value) this.announcer.withdraw(notification.id);
    const session = this.session;
    try {
      await this.sendMarkAllRead();
    } catch {
      if (session !== this.session) return;
      this.refreshes.next('server');
      this.reportFailure('Could not mark your notifications as read.');
    }
  }

  async delete(id: string): Promise<void> {
    const item = this.items.value.find((notification) => notification.id === id);
    if (!item) return;
    this.forget(id);
    if (!item.readAt) this.count.next(Math.max(0, this.count.value - 1));
    try {
      await firstValueFrom(this.api.delete(id).pipe(takeUntil(this.ended)), { defaultValue: undefined });
    } catch (error) {
      if (isNotFound(error)) return;
      this.deletedIds.delete(id);
      this.merge([item]);
      if (!item.readAt) this.count.next(this.count.value + 1);
      this.reportFailure(`Could not delete “${item.title}”.`);
    }
  }

  /** Fetches the next, older page. */
  async loadMore(): Promise<void> {
    const cursor = this.cursor.value;
    if (cursor === null || this.moreLoading.value) return;
    this.moreLoading.next(true);
    try {
      const page = await firstValueFrom(this.api.list({ cursor, limit: PAGE_SIZE }).pipe(takeUntil(this.ended)), {
        defaultValue: null,
      });
      if (page) {
        this.merge(page.items);
        this.cursor.next(page.nextCursor);
      }
    } catch {
      this.reportFailure('Could not load older notifications.');
    } finally {
      this.moreLoading.next(false);
    }
  }

  /** Marks the notification read and goes where it points (the inbox when it points nowhere safe). */
  open(notification: NotificationDto | null): void {
    if (!this.userId) return;
    if (notification) void this.markAsRead(notification.id);
    void this.router.navigateByUrl(inAppUrl(notification?.actionUrl) ?? INBOX_URL);
  }

  // ---- session ---------------------------------------------------------------------------

  private follow(userId: string | null): void {
    if (userId === this.userId) return;
    this.stop();
    this.userId = userId;
    if (userId) this.start();
  }

  private start(): void {
    this.setState(this.isOnline() ? 'reconnecting' : 'offline');
    this.status.next('loading');
    this.refreshes
      .pipe(
        switchMap((reason) => this.fetchFirstPage(reason)),
        takeUntil(this.ended),
      )
      .subscribe((result) => {
        if (result) {
          this.applyRefresh(result);
        } else {
          if (!this.loaded) this.status.next('error');
          this.finishCatchUp([]);
        }
        // The socket opens once the first page is known, so its handshake carries that page's
        // highest seq and the server replays whatever was created in between.
        if (!this.socket) this.openSocket();
      });
    this.preferences
      .load()
      .pipe(takeUntil(this.ended))
      .subscribe({ error: () => undefined });
    this.refreshes.next('initial');
  }

  private stop(): void {
    this.session++;
    this.ended.next();
    this.stopPolling();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.reauthenticating = false;
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
      this.socket = null;
    }
    this.safeSeq = null;
    this.chain.clear();
    this.knownIds.clear();
    this.deletedIds.clear();
    this.loaded = false;
    this.connectedBefore = false;
    this.failedAttempts = 0;
    this.tokenExpired = false;
    this.catchingUp = false;
    this.pendingAnnouncements = [];
    this.items.next([]);
    this.count.next(0);
    this.cursor.next(null);
    this.status.next('idle');
    this.moreLoading.next(false);
    this.setState('offline');
    this.announcer.reset();
    this.preferences.reset();
  }

  // ---- socket ------------------------------------------------------------------------------

  private openSocket(): void {
    const socket = this.createSocket(() => this.handshakeAuth());
    this.socket = socket;
    socket.on('connect', () => this.connected());
    socket.on('disconnect', (reason) => this.disconnected(reason));
    socket.on('connect_error', (error) => this.refused(error));
    socket.on(ServerEvent.New, (payload) => this.received(payload));
    socket.on(ServerEvent.Updated, (notification) => this.updated(notification));
    socket.on(ServerEvent.Deleted, (payload) => this.deleted(payload));
    socket.on(ServerEvent.UnreadCount, ({ count }) => this.count.next(count));
    socket.on(ServerEvent.Refresh, () => this.refreshes.next('server'));
    socket.on(ServerEvent.Resync, () => void this.sync());
    socket.on(ServerEvent.ReadAck, (payload) => this.readAcknowledged(payload));
    socket.on(ServerEvent.SessionEnd, (payload) => this.sessionEnded(payload));
    socket.connect();
  }

  private handshakeAuth(): SocketAuth {
    const token = this.auth.accessToken() ?? '';
    return this.safeSeq === null ? { token } : { token, lastSeq: this.safeSeq };
  }

  private connected(): void {
    this.failedAttempts = 0;
    this.stopPolling();
    this.setState('connected');
    if (this.connectedBefore || !this.loaded) {
      // Back after being disconnected: the server replays what was created meanwhile, but reads
      // and deletions made on other devices are only in a fresh copy of the list.
      this.catchingUp = true;
      this.refreshes.next('catch-up');
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
    this.setState('reconnecting');
  }

  /** Gets a fresh access token, then reconnects; repeated failures wait longer each time. */
  private reauthenticate(): void {
    if (this.reauthenticating) return;
    const delay = this.failedAttempts === 0 ? 0 : backoff(this.failedAttempts);
    this.failedAttempts++;
    const freshToken$ = delay === 0 ? this.auth.refresh() : timer(delay).pipe(switchMap(() => this.auth.refresh()));
    this.reauthenticating = true;
    freshToken$
      .pipe(takeUntil(this.ended))
      .subscribe({
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
    const delay = backoff(++this.failedAttempts);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      attempt();
    }, delay);
  }

  // ---- server events -----------------------------------------------------------------------

  private received(payload: NewNotificationPayload): void {
    const { muted, prevSeq, ...notification } = payload;
    this.extendChain(prevSeq, notification.seq);
    if (this.deletedIds.has(notification.id)) return;
    const isNew = !this.knownIds.has(notification.id);
    this.merge([notification]);
    if (!isNew) return;
    this.arrived.next(notification);
    if (!notification.readAt && !muted) this.queueAnnouncement(notification);
  }

  /** Only for what is listed here: an older one outside the loaded pages stays for "load more". */
  private updated(notification: NotificationDto): void {
    if (notification.readAt) this.announcer.withdraw(notification.id);
    if (this.items.value.some((item) => item.id === notification.id)) this.merge([notification]);
  }

  private deleted({ id }: DeletedPayload): void {
    this.forget(id);
  }

  private readAcknowledged({ id, readAt }: ReadAckPayload): void {
    this.patch(id, { readAt });
  }

  // ---- the safe cursor ------------------------------------------------------------------------

  private extendChain(prevSeq: string, seq: string): void {
    this.chain.set(prevSeq, seq);
    this.settleChain();
  }

  /** Moves the cursor over every link that now joins it; asks for what is still missing. */
  private settleChain(): void {
    if (this.safeSeq === null) return;
    let moved = true;
    while (moved) {
      moved = false;
      for (const [prevSeq, seq] of this.chain) {
        if (compareSeq(prevSeq, this.safeSeq) > 0) continue;
        this.safeSeq = maxSeq(this.safeSeq, seq);
        this.chain.delete(prevSeq);
        moved = true;
      }
    }
    if (this.chain.size > 0) {
      this.syncTimer ??= setTimeout(() => {
        this.syncTimer = null;
        if (this.chain.size > 0) void this.sync();
      }, GAP_GRACE_MS);
    }
  }

  /** Asks the server for everything after the safe cursor; it replays them before answering. */
  private async sync(): Promise<void> {
    const socket = this.socket;
    const afterSeq = this.safeSeq;
    // Without a connection the next handshake carries the cursor; without a cursor, a refetch follows anyway.
    if (!socket?.connected || afterSeq === null) return;
    const ack: Ack<SyncResult> | null = await socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck(ClientEvent.Sync, { afterSeq })
      .catch(() => null);
    if (socket !== this.socket) return;
    if (ack?.ok) {
      this.safeSeq = maxSeq(this.safeSeq ?? afterSeq, ack.upToSeq);
      this.settleChain();
    } else {
      // A fresh first page is complete up to its newest: the cursor can move there.
      this.refreshes.next('catch-up');
    }
  }

  // ---- polling and refetching ---------------------------------------------------------------

  private startPolling(): void {
    if (!this.isOnline()) {
      this.stopPolling();
      this.setState('offline');
      return;
    }
    this.setState('polling');
    this.pollTimer ??= setInterval(() => this.refreshes.next('poll'), this.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private browserOffline(): void {
    if (!this.userId || this.socket?.connected) return;
    this.stopPolling();
    this.setState('offline');
  }

  private browserOnline(): void {
    if (!this.userId || !this.socket || this.socket.connected) return;
    this.startPolling();
    this.refreshes.next('poll');
    // Start over without waiting out the back-off accumulated while the network was gone.
    this.socket.disconnect();
    this.socket.connect();
  }

  /** The first page again (as many items as are loaded, within the server's page limit) and the count. */
  private fetchFirstPage(reason: RefreshReason): Observable<RefreshResult | null> {
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, this.items.value.length));
    const newestAtRequest = this.items.value[0]?.seq ?? null;
    return forkJoin([this.api.list({ limit }), this.api.unreadCount()]).pipe(
      map(([page, count]) => ({ page, count, newestAtRequest })),
      catchError(() => {
        if (reason === 'server') this.reportFailure('Could not refresh your notifications.');
        return of(null);
      }),
    );
  }

  private applyRefresh({ page, count, newestAtRequest }: RefreshResult): void {
    const seenUpTo = this.safeSeq;
    // New to this tab, not merely older ones that moved into the first page after a deletion.
    const fresh = this.loaded
      ? page.items.filter(
          (notification) =>
            !this.knownIds.has(notification.id) && (seenUpTo === null || compareSeq(notification.seq, seenUpTo) > 0),
        )
      : [];
    const pageIds = new Set(page.items.map((notification) => notification.id));
    // Pushed while the request was under way, so absent from its answer but not gone.
    const arrivedMeanwhile = this.items.value.filter(
      (notification) =>
        !pageIds.has(notification.id) && (newestAtRequest === null || compareSeq(notification.seq, newestAtRequest) > 0),
    );
    const local = new Map(this.items.value.map((notification) => [notification.id, notification]));
    const merged = page.items
      .filter((notification) => !this.deletedIds.has(notification.id))
      // A read is never undone; the local copy may know of one the fetched page predates.
      .map((notification) => ({ ...notification, readAt: notification.readAt ?? local.get(notification.id)?.readAt ?? null }));
    this.items.next(newestFirst([...arrivedMeanwhile, ...merged]));
    for (const notification of page.items) this.knownIds.add(notification.id);
    // Notifications are created one transaction at a time, in seq order, so a fresh first page
    // holds everything up to its newest: the cursor moves there ("0" for an empty inbox).
    this.safeSeq = page.items.reduce<string>((safe, notification) => maxSeq(safe, notification.seq), this.safeSeq ?? '0');
    this.settleChain();
    this.cursor.next(page.nextCursor);
    this.count.next(count.count);
    this.loaded = true;
    this.status.next('ready');
    for (const notification of fresh) this.arrived.next(notification);
    this.finishCatchUp(fresh.filter((notification) => !notification.readAt && !this.preferences.isMuted(notification)));
  }

  private queueAnnouncement(notification: NotificationDto): void {
    if (this.catchingUp) this.pendingAnnouncements.push(notification);
    else void this.announcer.announce([notification]);
  }

  private finishCatchUp(fresh: readonly NotificationDto[]): void {
    const batch = this.catchingUp ? [...this.pendingAnnouncements, ...fresh] : fresh;
    this.catchingUp = false;
    this.pendingAnnouncements = [];
    const stillUnread = batch.filter((notification) => this.isUnread(notification.id));
    if (stillUnread.length) void this.announcer.announce(stillUnread);
  }

  // ---- local state -------------------------------------------------------------------------

  /** Adds or updates by id, newest first; reads are never undone by an older copy. */
  private merge(incoming: readonly NotificationDto[]): void {
    const byId = new Map(this.items.value.map((notification) => [notification.id, notification]));
    for (const notification of incoming) {
      if (this.deletedIds.has(notification.id)) continue;
      const existing = byId.get(notification.id);
      byId.set(notification.id, { ...notification, readAt: notification.readAt ?? existing?.readAt ?? null });
      this.knownIds.add(notification.id);
    }
    this.items.next(newestFirst([...byId.values()]));
  }

  private patch(id: string, change: Pick<NotificationDto, 'readAt'>): void {
    if (!this.items.value.some((notification) => notification.id === id)) return;
    this.items.next(this.items.value.map((notification) => (notification.id === id ? { ...notification, ...change } : notification)));
  }

  private forget(id: string): void {
    this.deletedIds.add(id);
    this.knownIds.add(id);
    this.announcer.withdraw(id);
    if (this.items.value.some((notification) => notification.id === id)) {
      this.items.next(this.items.value.filter((notification) => notification.id !== id));
    }
  }

  private isUnread(id: string): boolean {
    const item = this.items.value.find((notification) => notification.id === id);
    return !!item && !item.readAt;
  }

  private setState(state: ConnectionState): void {
    if (this.state.value !== state) this.state.next(state);
  }

  private isOnline(): boolean {
    return this.window?.navigator.onLine ?? true;
  }

  private reportFailure(message: string): void {
    this.toasts.show({ kind: 'error', title: 'Something went wrong', message, priority: 'NORMAL', notification: null });
  }

  // ---- commands: over the socket when it is up (with acknowledgement), else REST -------------

  private async sendMarkRead(id: string): Promise<NotificationDto> {
    const socket = this.socket;
    if (socket?.connected) {
      const ack = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(ClientEvent.MarkRead, { id })
        .catch(() => null);
      if (ack?.ok) return ack.notification;
      if (ack?.error === SocketError.NotFound) throw new NotFound();
      if (ack) throw new Error(ack.error);
      // No acknowledgement in time: the socket may be half dead; REST decides.
    }
    return firstValueFrom(this.api.markRead(id));
  }

  private async sendMarkAllRead(): Promise<void> {
    const socket = this.socket;
    if (socket?.connected) {
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

function newestFirst(notifications: NotificationDto[]): NotificationDto[] {
  return notifications.sort((a, b) => compareSeq(b.seq, a.seq));
}

function isNotFound(error: unknown): boolean {
  return error instanceof NotFound || (error instanceof HttpErrorResponse && error.status === 404);
}

/** Exponential, capped, randomised by ±50 % like socket.io's own reconnection delays. */
function backoff(attempt: number): number {
  const base = Math.min(RECONNECT_BACKOFF.delay * 2 ** attempt, MAX_RETRY_DELAY_MS);
  return Math.round(base * (1 - RECONNECT_BACKOFF.randomization + Math.random() * RECONNECT_BACKOFF.randomization * 2));
}
