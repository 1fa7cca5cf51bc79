import { Injectable } from '@angular/core';
import {
  CatchUp,
  CatchUpOptions,
  ListingTicket,
  NewNotificationPayload,
  NotificationDto,
  NotificationPageDto,
  Received,
} from '@clinic/contracts';
import { BehaviorSubject, distinctUntilChanged, map, Observable, Subject } from 'rxjs';

export type ConnectionState = 'connected' | 'reconnecting' | 'polling' | 'offline';
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What the store needs from the connection to keep the catch-up rules: how to sync, how to refetch. */
export type CatchUpPorts = Pick<CatchUpOptions, 'sync' | 'refetch'>;

/** A notification missing from the chain this long is asked for (it may just be late, from another node). */
export const GAP_GRACE_MS = 2_000;

/**
 * The signed-in user's notifications as this tab holds them, as BehaviorSubjects that the bell,
 * the inbox and the toasts render. What is held, the safe cursor and the unread count follow the
 * contract's catch-up rules (`CatchUp`, one per session); this store publishes them and keeps
 * what only the screen needs: the page cursor for older pages, the load and connection state.
 */
@Injectable({ providedIn: 'root' })
export class NotificationStore {
  private readonly items = new BehaviorSubject<readonly NotificationDto[]>([]);
  private readonly count = new BehaviorSubject(0);
  private readonly connection = new BehaviorSubject<ConnectionState>('offline');
  /** Where the next, older page starts (the REST `nextCursor`); null when there is none. */
  private readonly nextPage = new BehaviorSubject<string | null>(null);
  private readonly status = new BehaviorSubject<LoadStatus>('idle');
  private readonly moreLoading = new BehaviorSubject(false);
  private readonly kept = new BehaviorSubject<string | null>(null);
  private readonly arrived = new Subject<NotificationDto>();
  private readonly ended = new Subject<void>();
  private catchUp: CatchUp | null = null;
  private sessionNumber = 0;

  /** Newest first (by seq). */
  readonly notifications$: Observable<readonly NotificationDto[]> = this.items.asObservable();
  readonly unreadCount$: Observable<number> = this.count.pipe(distinctUntilChanged());
  readonly connectionState$: Observable<ConnectionState> = this.connection.pipe(distinctUntilChanged());
  readonly hasMore$: Observable<boolean> = this.nextPage.pipe(
    map((cursor) => cursor !== null),
    distinctUntilChanged(),
  );
  readonly loadStatus$: Observable<LoadStatus> = this.status.pipe(distinctUntilChanged());
  readonly loadingMore$: Observable<boolean> = this.moreLoading.pipe(distinctUntilChanged());
  /**
   * When what is shown was saved (ISO), while the app shows the inbox it kept offline instead of the
   * server's (showKept); null once the server's own list is here.
   */
  readonly keptSince$: Observable<string | null> = this.kept.pipe(distinctUntilChanged());
  /** Each notification that appears after the first load, however it was delivered. */
  readonly arrivals$: Observable<NotificationDto> = this.arrived.asObservable();
  /** Emits when a session ends: what is still under way for it stops. */
  readonly ended$: Observable<void> = this.ended.asObservable();

  /**
   * Counts sessions: an answer that arrives after the session it was asked in ended must not reach
   * the next user's state or screen.
   */
  get session(): number {
    return this.sessionNumber;
  }

  /** The safe cursor, for the handshake's `lastSeq`; null before the first page is loaded. */
  get cursor(): string | null {
    return this.catchUp?.cursor ?? null;
  }

  get unreadCount(): number {
    return this.count.value;
  }

  get pageCursor(): string | null {
    return this.nextPage.value;
  }

  /** A user's session is running. */
  get active(): boolean {
    return this.catchUp !== null;
  }

  /** What is shown, newest first. */
  list(): readonly NotificationDto[] {
    return this.items.value;
  }

  get loaded(): boolean {
    return this.cursor !== null;
  }

  get loadingMore(): boolean {
    return this.moreLoading.value;
  }

  get connectionState(): ConnectionState {
    return this.connection.value;
  }

  /** How many are shown: a refetch asks for as many again. */
  get size(): number {
    return this.items.value.length;
  }

  find(id: string): NotificationDto | undefined {
    return this.catchUp?.get(id);
  }

  isUnread(id: string): boolean {
    const notification = this.find(id);
    return !!notification && !notification.readAt;
  }

  // ---- the session ---------------------------------------------------------------------------

  begin(ports: CatchUpPorts): void {
    this.catchUp?.dispose();
    this.catchUp = new CatchUp({
      ...ports,
      gapGraceMs: GAP_GRACE_MS,
      schedule: (task, delayMs) => {
        const timer = setTimeout(task, delayMs);
        return () => clearTimeout(timer);
      },
      onChange: () => this.publish(),
    });
    this.status.next('loading');
  }

  /**
   * Shows the inbox as it was saved when the server could not be reached at start: on screen only,
   * never merged into a session's state, so nothing of it outlives the server's first answer.
   */
  showKept(items: readonly NotificationDto[], unreadCount: number, savedAt: string): void {
    if (this.catchUp) return;
    this.items.next(items);
    this.count.next(unreadCount);
    this.status.next('ready');
    this.kept.next(savedAt);
  }

  /** Forgets everything: the user signed out. */
  end(): void {
    this.kept.next(null);
    this.sessionNumber++;
    this.ended.next();
    this.catchUp?.dispose();
    this.catchUp = null;
    this.items.next([]);
    this.count.next(0);
    this.nextPage.next(null);
    this.status.next('idle');
    this.moreLoading.next(false);
    this.setConnectionState('offline');
  }

  // ---- what the server says --------------------------------------------------------------------

  receive(payload: NewNotificationPayload): Received | null {
    const received = this.catchUp?.receive(payload) ?? null;
    if (received?.isNew) this.arrived.next(received.notification);
    return received;
  }

  /** A newer state of one (it was read): kept if it falls within the loaded pages; an older one waits for "load more". */
  update(notification: NotificationDto): void {
    this.catchUp?.update(notification);
  }

  acknowledgeRead(id: string, readAt: string): void {
    this.catchUp?.acknowledgeRead(id, readAt);
  }

  /** Deleted here or elsewhere: a refetch that was already under way must not bring it back. */
  remove(id: string): void {
    this.catchUp?.remove(id);
  }

  setUnreadCount(count: number): void {
    this.catchUp?.setUnreadCount(Math.max(0, count));
  }

  listingRequested(): ListingTicket | null {
    return this.catchUp?.listingRequested() ?? null;
  }

  /** A fresh first page and count. Returns what it brought that this tab had not seen, newest first. */
  applyFirstPage(ticket: ListingTicket, page: NotificationPageDto, unreadCount: number): NotificationDto[] {
    if (!this.catchUp) return [];
    const fresh = this.catchUp.applyListing(ticket, { items: page.items, complete: page.nextCursor === null, unreadCount });
    this.nextPage.next(page.nextCursor);
    this.status.next('ready');
    for (const notification of fresh) this.arrived.next(notification);
    return fresh;
  }

  /** The first page could not be fetched. */
  firstPageFailed(): void {
    if (!this.loaded) this.status.next('error');
  }

  appendOlder(page: NotificationPageDto): void {
    this.catchUp?.appendOlder({ items: page.items, complete: page.nextCursor === null });
    this.nextPage.next(page.nextCursor);
  }

  sync(): Promise<void> {
    return this.catchUp?.syncNow() ?? Promise.resolve();
  }

  resync(): Promise<void> {
    return this.catchUp?.resync() ?? Promise.resolve();
  }

  // ---- this tab's own changes, shown before the server confirms them ----------------------------

  /** Shows this tab's change of one's state at once; returns the copy it replaced, for `revert`. */
  change(id: string, state: Parameters<CatchUp['change']>[1]): NotificationDto | undefined {
    return this.catchUp?.change(id, state);
  }

  /** This tab's change failed: back to the copy `change` returned, unless a newer one came meanwhile. */
  revert(previous: NotificationDto): void {
    this.catchUp?.revert(previous);
  }

  markAllRead(readAt: string): void {
    this.catchUp?.markAllRead(readAt);
  }

  restore(notification: NotificationDto): void {
    this.catchUp?.restore(notification);
  }

  setLoadingMore(loading: boolean): void {
    this.moreLoading.next(loading);
  }

  setConnectionState(state: ConnectionState): void {
    if (this.connection.value !== state) this.connection.next(state);
  }

  private publish(): void {
    const catchUp = this.catchUp;
    if (!catchUp) return;
    const items = catchUp.newestFirst();
    const shown = this.items.value;
    if (items.length !== shown.length || items.some((notification, index) => notification !== shown[index])) this.items.next(items);
    this.count.next(catchUp.unreadCount ?? 0);
  }
}
