// The client side of "Catch-up without gaps" (docs/websocket-contract.md): what a client holds of
// its user's notifications and how it keeps that complete and current. One implementation, free of
// any framework, runtime or transport (no Angular, RxJS, Node or socket.io): the Angular app's
// NotificationService and the backend's reference test client both run it, so the zero-loss suites
// prove the code users run. Another client (another language, another UI) follows the same rules.
// Over 400 lines on purpose: the rules are one state machine, read (and ported) as a whole.
import type { Ack, NewNotificationPayload, NotificationDto, SyncPayload, SyncResult } from './index';

/** The fields of a notification's state, which change by version (see `NotificationDto.version`). */
type StateField = 'readAt' | 'acknowledgedAt' | 'archivedAt' | 'snoozedUntil';

/** `seq` values are bigints as decimal strings: compared as BigInt, never as numbers or strings. */
export function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x > y ? 1 : -1;
}

/** Highest seq first. */
export function newestFirst(notifications: Iterable<NotificationDto>): NotificationDto[] {
  return [...notifications].sort((a, b) => compareSeq(b.seq, a.seq));
}

/**
 * What became of a `sync` the client asked for: the server's acknowledgement, `'unanswered'` (no
 * answer in time: the socket may be half dead), or `'not-connected'` (nothing was sent; the next
 * handshake carries the cursor as `lastSeq` instead).
 */
export type SyncOutcome = Ack<SyncResult> | 'unanswered' | 'not-connected';

/** What a CatchUp needs from its host: a clock, the socket and the REST API, as the host has them. */
export interface CatchUpOptions {
  /**
   * How long a gap may stay open before the client asks `sync`: the missing notification usually
   * arrives on its own within moments (another node emitted it).
   */
  readonly gapGraceMs: number;
  /** Runs `task` once after `delayMs`; the function returned cancels it. */
  schedule(task: () => void, delayMs: number): () => void;
  /** Sends `sync` over the socket when it is connected. */
  sync(request: SyncPayload): Promise<SyncOutcome>;
  /**
   * The list and count must be fetched again through REST: the host calls `listingRequested`
   * before asking and `applyListing` with the answer. Asked when too many were missed, when a
   * `sync` went unanswered or was refused, and after `resync`.
   */
  refetch(): void;
  /** Something held changed (notifications, their read state, the count). */
  onChange?(): void;
}

/** The result of `receive`. */
export interface Received {
  /** As now held (a newer state known from before stays); the payload itself if it was deleted. */
  readonly notification: NotificationDto;
  /** Seen for the first time in this session (not listed, received or deleted before): worth telling the user. */
  readonly isNew: boolean;
  /** It was held already: a replay, or a copy that came two ways. */
  readonly duplicate: boolean;
}

/** Taken when a listing is asked for, handed back with its answer. */
export interface ListingTicket {
  /** Held when the list was asked for: committed before the server read it, so listed unless deleted. */
  readonly held: ReadonlySet<string>;
  /** Waiting beyond a gap when the list was asked for. */
  readonly waiting: readonly string[];
  readonly countVersion: number;
}

/** A REST answer: the newest notifications (the first page, or every page) and the unread count. */
export interface Listing {
  /** Newest first, as the REST API lists them. */
  readonly items: readonly NotificationDto[];
  /** Nothing older exists beyond `items` (no `nextCursor`). */
  readonly complete: boolean;
  readonly unreadCount?: number;
}

interface Link {
  readonly seq: bigint;
  readonly prevSeq: bigint;
}

/**
 * A user's notifications as one client holds them, and its safe cursor.
 *
 * - **Safe cursor**: every notification of the user's with a seq up to it is held, or was deleted.
 *   Null until the first listing. It moves only over an unbroken `prevSeq` chain, to a `sync`
 *   answer's `upToSeq`, or to the newest seq of a fresh listing. Send it as `lastSeq` on every
 *   (re)connection.
 * - **Gaps and out-of-order arrival**: a notification whose `prevSeq` is beyond the cursor waits
 *   (by id) until the chain reaches it; the cursor then moves on along everything waiting that
 *   links on. A gap still open after `gapGraceMs` makes the client `sync` from the cursor, one
 *   request at a time, again while a gap stays open. What was received before asking and is still
 *   beyond the cursor after the answer was deleted meanwhile: it is dropped.
 * - **By id, once**: a notification that arrives twice is held once. Its state (read, archived,
 *   snoozed…) comes from the copy with the higher `version`, so an older copy never undoes a
 *   newer change; a receipt, once known, stays. A deletion is final: no late copy, replay or listing brings it back.
 *   A deleted one still proves its link, so deletions never block the cursor.
 * - **Refresh**: a listing replaces what it covers. Held ones it lacks were deleted elsewhere, except
 *   those that arrived while it was under way; with `complete: false` only the listed window is
 *   kept (older ones come back with older pages). The count it brings applies unless a newer one
 *   was set meanwhile.
 * - **When to fetch instead**: a `sync` answered with `refresh: true` (too many missed), unanswered,
 *   or refused, and every `resync`, ask the host to refetch.
 */
export class CatchUp {
  private cursorSeq: bigint | null = null;
  /** The oldest seq this client keeps (0n: everything); null until the first listing. */
  private floor: bigint | null = null;
  private readonly held = new Map<string, NotificationDto>();
  /** Copies made by this client's own changes, not yet replaced by one from the server. */
  private readonly unconfirmed = new WeakSet<NotificationDto>();
  /** Every id listed, received or deleted in this session. */
  private readonly seen = new Set<string>();
  private readonly deleted = new Set<string>();
  /** Received beyond the cursor with a gap before them, by id. */
  private readonly pending = new Map<string, Link>();
  private count: number | null = null;
  private countVersion = 0;
  private cancelGapTimer: (() => void) | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private disposed = false;

  constructor(private readonly options: CatchUpOptions) {}

  /** The safe cursor, as `lastSeq` for the handshake and `afterSeq` for `sync`; null before the first listing. */
  get cursor(): string | null {
    return this.cursorSeq === null ? null : this.cursorSeq.toString();
  }

  /** The user's unread count as last heard, or null before anything told it. */
  get unreadCount(): number | null {
    return this.count;
  }

  /** Nothing waits on a gap, and no `sync` is under way or due. */
  get settled(): boolean {
    return this.pending.size === 0 && this.syncing === null && this.cancelGapTimer === null;
  }

  get(id: string): NotificationDto | undefined {
    return this.held.get(id);
  }

  newestFirst(): NotificationDto[] {
    return newestFirst(this.held.values());
  }

  // ---- server events ---------------------------------------------------------------------------

  /** `notification:new`, live or replayed. */
  receive(payload: NewNotificationPayload): Received {
    const { muted: _muted, prevSeq, ...notification } = payload;
    const duplicate = this.held.has(notification.id);
    const isNew = !this.seen.has(notification.id);
    const seq = BigInt(notification.seq);
    if (this.cursorSeq === null || seq > this.cursorSeq) {
      this.pending.set(notification.id, { seq, prevSeq: BigInt(prevSeq) });
      this.advance();
    }
    this.seen.add(notification.id);
    if (!this.deleted.has(notification.id)) this.hold(notification);
    this.watchGap();
    this.changed();
    return { notification: this.held.get(notification.id) ?? notification, isNew, duplicate };
  }

  /**
   * `notification:updated` (it was read), or the answer to this client's own read. Held if it
   * falls within what this client keeps, even before its `notification:new` arrived.
   */
  update(notification: NotificationDto): void {
    if (this.deleted.has(notification.id)) return;
    if (!this.held.has(notification.id) && !this.keeps(BigInt(notification.seq))) return;
    this.hold(notification);
    this.changed();
  }

  /** `notification:read-ack`: this socket's read went through (the answer, with its version, follows). */
  acknowledgeRead(id: string, readAt: string): void {
    const known = this.held.get(id);
    if (!known || known.readAt) return;
    this.held.set(id, { ...known, readAt });
    this.changed();
  }

  /** `notification:deleted`, or deleted by this client: final. Returns what was held. */
  remove(id: string): NotificationDto | undefined {
    const known = this.held.get(id);
    this.forget(id);
    if (known) this.changed();
    return known;
  }

  /** `notification:unread-count`, or this client's own estimate after a change it made. */
  setUnreadCount(count: number): void {
    this.count = count;
    this.countVersion++;
    this.changed();
  }

  // ---- this client's own changes, shown before the server confirms them --------------------------

  /**
   * This client's own change of a held notification's state (read, acknowledged, archived,
   * snoozed), shown before the server confirms it: it counts as one more version, so a listing
   * fetched before the change does not undo it. Returns the copy it replaced, for `revert`.
   */
  change(id: string, state: Partial<Pick<NotificationDto, StateField>>): NotificationDto | undefined {
    const known = this.held.get(id);
    if (!known) return undefined;
    const changed = { ...known, ...state, version: known.version + 1 };
    this.held.set(id, changed);
    this.unconfirmed.add(changed);
    this.changed();
    return known;
  }

  /** This client's change failed: back to `previous`, unless a copy from the server came meanwhile. */
  revert(previous: NotificationDto): void {
    const known = this.held.get(previous.id);
    if (!known || !this.unconfirmed.has(known)) return;
    this.held.set(previous.id, previous);
    this.changed();
  }

  markAllRead(readAt: string): void {
    for (const [id, notification] of this.held) {
      if (!notification.readAt) this.held.set(id, { ...notification, readAt, version: notification.version + 1 });
    }
    this.changed();
  }

  /** This client's deletion failed: the notification exists after all. */
  restore(notification: NotificationDto): void {
    this.deleted.delete(notification.id);
    this.hold(notification);
    this.changed();
  }

  // ---- listings (REST) ---------------------------------------------------------------------------

  listingRequested(): ListingTicket {
    return { held: new Set(this.held.keys()), waiting: [...this.pending.keys()], countVersion: this.countVersion };
  }

  /**
   * A listing asked for with `ticket` has arrived. Returns what it brought that is new to this
   * client and newer than its cursor was (always empty for the first listing).
   */
  applyListing(ticket: ListingTicket, listing: Listing): NotificationDto[] {
    if (this.disposed) return [];
    const previousCursor = this.cursorSeq;
    const listed = new Set(listing.items.map((notification) => notification.id));
    const seqs = listing.items.map((notification) => BigInt(notification.seq));
    const top = seqs.reduce((highest, seq) => (seq > highest ? seq : highest), 0n);
    const oldest = seqs.reduce((lowest, seq) => (seq < lowest ? seq : lowest), top);
    const floor = listing.complete ? 0n : oldest;

    for (const [id, notification] of this.held) {
      if (listed.has(id)) continue;
      const seq = BigInt(notification.seq);
      if (seq < floor) {
        this.held.delete(id); // older than the listed window: it comes back with an older page
      } else if (seq <= top || ticket.held.has(id)) {
        // Visible when the list was read (seqs become visible in order), yet not listed: deleted.
        this.forget(id);
      }
      // Otherwise it arrived while the list was under way, and stays.
    }
    const fresh =
      previousCursor === null
        ? []
        : listing.items.filter((notification) => !this.seen.has(notification.id) && BigInt(notification.seq) > previousCursor);
    for (const notification of listing.items) {
      this.seen.add(notification.id);
      if (!this.deleted.has(notification.id)) this.hold(notification);
    }
    this.floor = floor;
    // Notifications are created one transaction at a time, in seq order, so a fresh listing holds
    // everything up to its newest.
    this.moveCursorTo(top);
    // Waiting since before the list was asked for, so listed unless deleted: nothing will close
    // the gap before it.
    for (const id of ticket.waiting) {
      if (!this.pending.delete(id)) continue;
      this.forget(id);
    }
    if (listing.unreadCount !== undefined && ticket.countVersion === this.countVersion) this.count = listing.unreadCount;
    this.watchGap();
    this.changed();
    return fresh.filter((notification) => !this.deleted.has(notification.id));
  }

  /** An older page, loaded on demand: below the cursor, so it only widens what is kept. */
  appendOlder(listing: Listing): void {
    for (const notification of listing.items) {
      this.seen.add(notification.id);
      if (!this.deleted.has(notification.id)) this.hold(notification);
    }
    const oldest = listing.items.reduce<bigint | null>((lowest, { seq }) => {
      const value = BigInt(seq);
      return lowest === null || value < lowest ? value : lowest;
    }, this.floor);
    this.floor = listing.complete ? 0n : oldest;
    this.changed();
  }

  // ---- sync ----------------------------------------------------------------------------------------

  /** Asks `sync` from the cursor now (one at a time: asked again while one is under way, it repeats after). */
  syncNow(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.stopGapTimer();
    const syncing = this.syncOnce().then((watchAgain) => {
      this.syncing = null;
      if (this.disposed) return;
      if (this.syncAgain) {
        this.syncAgain = false;
        void this.syncNow();
      } else if (watchAgain) {
        this.watchGap();
      }
    });
    this.syncing = syncing;
    return syncing;
  }

  /**
   * `notification:resync`: events may have been lost between the nodes, reads and deletions as
   * well as new ones. Syncs from the cursor, then has the list fetched again.
   */
  async resync(): Promise<void> {
    await this.syncNow();
    if (!this.disposed) this.options.refetch();
  }

  /** The session is over: no timer runs, and answers still on their way change nothing. */
  dispose(): void {
    this.disposed = true;
    this.stopGapTimer();
  }

  // ---- internals -------------------------------------------------------------------------------------

  /** Resolves whether to keep watching for a gap (not when nothing could be sent: the reconnection catches up). */
  private async syncOnce(): Promise<boolean> {
    const afterSeq = this.cursor;
    if (afterSeq === null) return false; // the first listing sets the cursor
    // Received before asking, so committed before the server looks: if the answer does not reach
    // them, they were deleted since.
    const waiting = [...this.pending.keys()];
    const outcome = await this.options.sync({ afterSeq }).catch((): SyncOutcome => 'unanswered');
    if (this.disposed || outcome === 'not-connected') return false;
    if (outcome === 'unanswered' || !outcome.ok || outcome.refresh) {
      this.options.refetch();
      return true;
    }
    this.moveCursorTo(BigInt(outcome.upToSeq));
    for (const id of waiting) {
      if (!this.pending.delete(id)) continue;
      this.forget(id);
    }
    this.changed();
    return true;
  }

  /** Deleted here, elsewhere, or found missing from the server's answer: gone for good. Its link still counts. */
  private forget(id: string): void {
    this.deleted.add(id);
    this.seen.add(id);
    this.held.delete(id);
  }

  /**
   * Keeps the newest knowledge of a notification: its state from the copy with the higher
   * version (a listing fetched before a change is older than the change's event), and each
   * receipt, set once on the server, from whichever copy has it.
   */
  private hold(notification: NotificationDto): void {
    const known = this.held.get(notification.id);
    const state = known && known.version > notification.version ? known : notification;
    const copy: NotificationDto = {
      ...notification,
      readAt: state.readAt,
      acknowledgedAt: state.acknowledgedAt ?? known?.acknowledgedAt ?? null,
      archivedAt: state.archivedAt,
      snoozedUntil: state.snoozedUntil,
      version: state.version,
      deliveredAt: notification.deliveredAt ?? known?.deliveredAt ?? null,
      seenAt: notification.seenAt ?? known?.seenAt ?? null,
    };
    this.held.set(notification.id, copy);
    // An older copy merged into this client's unconfirmed change leaves it unconfirmed.
    if (state === known && this.unconfirmed.has(known)) this.unconfirmed.add(copy);
  }

  private keeps(seq: bigint): boolean {
    return this.floor !== null && seq >= this.floor;
  }

  private moveCursorTo(seq: bigint): void {
    if (this.cursorSeq === null || seq > this.cursorSeq) this.cursorSeq = seq;
    this.advance();
  }

  /** Moves the cursor along every waiting link that now joins it. */
  private advance(): void {
    if (this.cursorSeq === null) return;
    let moved = true;
    while (moved) {
      moved = false;
      for (const [id, link] of this.pending) {
        if (link.seq <= this.cursorSeq) {
          this.pending.delete(id);
        } else if (link.prevSeq <= this.cursorSeq) {
          this.cursorSeq = link.seq;
          this.pending.delete(id);
          moved = true;
        }
      }
    }
  }

  /** Starts the grace period for an open gap; stops it once nothing waits. */
  private watchGap(): void {
    if (this.disposed) return;
    if (this.pending.size === 0 || this.cursorSeq === null) {
      this.stopGapTimer();
      return;
    }
    if (this.cancelGapTimer || this.syncing) return;
    this.cancelGapTimer = this.options.schedule(() => {
      this.cancelGapTimer = null;
      if (this.pending.size > 0) void this.syncNow();
    }, this.options.gapGraceMs);
  }

  private stopGapTimer(): void {
    this.cancelGapTimer?.();
    this.cancelGapTimer = null;
  }

  private changed(): void {
    if (!this.disposed) this.options.onChange?.();
  }
}
