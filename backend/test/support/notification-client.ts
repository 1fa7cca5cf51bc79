import { io } from 'socket.io-client';
import {
  ClientEvent,
  NewNotificationPayload,
  NotificationDto,
  NotificationPageDto,
  ServerEvent,
  SOCKET_PATH,
  SocketAuth,
  SocketError,
  UnreadCountDto,
} from '@clinic/contracts';
import type { ClientSocket } from './sockets';

export interface NotificationClientOptions {
  /** Origin of the REST API and the socket (a node or the load balancer). */
  baseUrl: string;
  /** The current access token; asked on every request and every (re)connection. */
  token: () => string;
  /** Obtains a fresh access token, when the server says the current one expired. */
  refreshToken?: () => Promise<void>;
  gapGraceMs?: number;
  /** Socket.IO's reconnection backoff (first delay, and the largest). */
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
}

export interface ClientStats {
  connects: number;
  /** `notification:new` events received, duplicates included. */
  received: number;
  duplicates: number;
  syncs: number;
  refetches: number;
  resyncs: number;
}

interface Pending {
  seq: bigint;
  prevSeq: bigint;
}

const PAGE_SIZE = 100;
const RETRY_MS = 500;
const ACK_TIMEOUT_MS = 10_000;

/**
 * The reference client of the WebSocket contract (README, "WebSocket contract"): what a real
 * client must do to hold every notification of its user exactly once, in seq order, whatever
 * the network, the nodes or Redis do. The zero-loss tests drive it through faults; the Angular
 * NotificationService follows the same rules.
 *
 * - Safe cursor: every notification with a seq up to `cursor` is held (or was deleted). It moves
 *   only along `prevSeq` links, to a `sync` answer's `upToSeq`, or to the top of a refetched list.
 * - A notification whose `prevSeq` is beyond the cursor reveals a gap: something in between has
 *   not arrived (yet). It usually arrives within moments (two nodes emit independently); if the
 *   gap is still open after `gapGraceMs`, the client asks `sync` from its cursor.
 * - Held notifications are keyed by id, so whatever arrives twice (replays, recovered sessions)
 *   is held once. A read never becomes unread and a deletion is final, so a late or stale copy
 *   cannot undo either.
 * - Every (re)connect sends the current token and the safe cursor (`auth` as a function); a
 *   reconnect also refetches the list, since reads and deletions made elsewhere meanwhile are
 *   not replayed. `notification:refresh` refetches; `notification:resync` syncs and refetches.
 *
 * Unlike a UI, which shows the first page and loads older ones on demand, this client keeps the
 * whole inbox, so a refetch reads every page.
 */
export class NotificationClient {
  /** Safe cursor: everything of the user's with a seq up to here is held or was deleted. */
  cursor = 0n;
  unreadCount: number | null = null;
  readonly stats: ClientStats = { connects: 0, received: 0, duplicates: 0, syncs: 0, refetches: 0, resyncs: 0 };

  private readonly held = new Map<string, NotificationDto>();
  private readonly deleted = new Set<string>();
  /** Received beyond the cursor, with a gap before them. */
  private readonly pending = new Map<string, Pending>();
  private readonly socket: ClientSocket;
  private countVersion = 0;
  private gapTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private refetching: Promise<void> | null = null;
  private refetchAgain = false;
  /** A token refresh under way; a reconnection waits for it. */
  private refreshingToken: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: NotificationClientOptions) {
    this.socket = io(options.baseUrl, {
      path: SOCKET_PATH,
      transports: ['websocket'],
      forceNew: true,
      autoConnect: false,
      reconnectionDelay: options.reconnectionDelay ?? 1000,
      reconnectionDelayMax: options.reconnectionDelayMax ?? 5000,
      auth: (send) => send({ token: this.options.token(), lastSeq: this.cursor.toString() } satisfies SocketAuth),
    });
    this.listen();
  }

  /** Loads the inbox through REST, then connects: the handshake's cursor covers what came between. */
  async start(): Promise<void> {
    await this.refetch();
    await new Promise<void>((resolve) => {
      this.socket.once('connect', () => resolve());
      this.socket.connect();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.socket.disconnect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Keeps the socket closed (as a device offline) until `goOnline`. */
  goOffline(): void {
    this.socket.disconnect();
  }

  goOnline(): void {
    this.socket.connect();
  }

  /** Held notifications, oldest first. */
  notifications(): NotificationDto[] {
    return [...this.held.values()].sort((a, b) => compareSeq(a.seq, b.seq));
  }

  /** Nothing received is waiting on a gap, and no sync or refetch is under way. */
  get settled(): boolean {
    return this.pending.size === 0 && !this.syncing && !this.refetching && this.gapTimer === null;
  }

  async waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private listen(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      this.stats.connects += 1;
      // The handshake's lastSeq brings the missed notifications; reads and deletions made
      // elsewhere while this socket was away come with the list.
      if (this.stats.connects > 1) void this.refetch();
    });
    // Socket.IO retries a failed transport by itself, but neither a refused handshake nor a
    // socket the server ended: reconnect then, with a fresh token when that was the reason.
    socket.on('connect_error', (error) => {
      if (socket.active) return;
      if (error.message === SocketError.Unauthorized) this.refreshToken();
      this.reconnectSoon();
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') this.reconnectSoon();
    });
    socket.on(ServerEvent.SessionEnd, ({ reason }) => {
      if (reason === SocketError.TokenExpired) this.refreshToken();
    });
    socket.on(ServerEvent.New, (notification) => this.receive(notification));
    socket.on(ServerEvent.Updated, (notification) => this.hold(notification));
    socket.on(ServerEvent.ReadAck, ({ id, readAt }) => {
      const notification = this.held.get(id);
      if (notification) this.hold({ ...notification, readAt });
    });
    socket.on(ServerEvent.Deleted, ({ id }) => {
      this.deleted.add(id);
      this.held.delete(id);
    });
    socket.on(ServerEvent.UnreadCount, ({ count }) => {
      this.countVersion += 1;
      this.unreadCount = count;
    });
    socket.on(ServerEvent.Refresh, () => void this.refetch());
    socket.on(ServerEvent.Resync, () => {
      this.stats.resyncs += 1;
      void this.sync().then(() => this.refetch());
    });
  }

  private refreshToken(): void {
    this.refreshingToken = this.refreshingToken.then(() => this.options.refreshToken?.()).catch(() => undefined);
  }

  private reconnectSoon(): void {
    void this.refreshingToken.then(() => setTimeout(() => this.stopped || this.socket.connect(), RETRY_MS));
  }

  private receive(notification: NewNotificationPayload): void {
    this.stats.received += 1;
    if (this.held.has(notification.id)) this.stats.duplicates += 1;
    // Even a notification deleted since still proves its link: nothing lies between prevSeq and seq.
    this.hold(notification);
    const seq = BigInt(notification.seq);
    if (seq <= this.cursor) return;
    this.pending.set(notification.id, { seq, prevSeq: BigInt(notification.prevSeq) });
    this.advance();
    if (this.pending.size > 0) this.syncSoon();
  }

  /** Keeps the newest knowledge of a notification: read stays read, deleted stays deleted. */
  private hold(incoming: NotificationDto): void {
    if (this.deleted.has(incoming.id)) return;
    const known = this.held.get(incoming.id);
    const { muted: _muted, prevSeq: _prevSeq, ...notification } = incoming as NewNotificationPayload;
    this.held.set(incoming.id, { ...notification, readAt: known?.readAt ?? notification.readAt });
  }

  /** Moves the cursor along prevSeq links as far as they reach. */
  private advance(): void {
    let moved = true;
    while (moved) {
      moved = false;
      for (const [id, { seq, prevSeq }] of this.pending) {
        if (seq <= this.cursor) {
          this.pending.delete(id);
        } else if (prevSeq <= this.cursor) {
          this.cursor = seq;
          this.pending.delete(id);
          moved = true;
        }
      }
    }
  }

  /** A gap seen while a sync is under way is looked at again once it has answered. */
  private syncSoon(): void {
    if (this.gapTimer || this.syncing) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.pending.size > 0) void this.sync();
    }, this.options.gapGraceMs ?? 250);
  }

  /** `sync` from the cursor; one at a time, repeated while a gap stays open. */
  private sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = this.syncOnce().finally(() => {
      this.syncing = null;
      if (this.stopped) return;
      if (this.syncAgain) {
        this.syncAgain = false;
        void this.sync();
      } else if (this.pending.size > 0) {
        this.syncSoon();
      }
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (!this.socket.connected) return;
    this.stats.syncs += 1;
    // Received before asking, so committed before the server looks: if the answer does not
    // reach them, they were deleted since.
    const waiting = [...this.pending.keys()];
    let answer;
    try {
      answer = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.Sync, { afterSeq: this.cursor.toString() });
    } catch {
      return;
    }
    if (!answer.ok) return;
    if (answer.refresh) {
      await this.refetch();
      return;
    }
    this.moveCursorTo(BigInt(answer.upToSeq));
    for (const id of waiting) {
      if (!this.pending.has(id)) continue;
      this.pending.delete(id);
      this.held.delete(id);
    }
  }

  /** Reads the whole inbox through REST and the count; the list's newest seq becomes the cursor. */
  private refetch(): Promise<void> {
    if (this.refetching) {
      this.refetchAgain = true;
      return this.refetching;
    }
    this.refetching = this.refetchUntilDone().finally(() => {
      this.refetching = null;
      if (this.refetchAgain && !this.stopped) {
        this.refetchAgain = false;
        void this.refetch();
      }
    });
    return this.refetching;
  }

  private async refetchUntilDone(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      this.refetchAgain = false;
      try {
        await this.refetchOnce();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private async refetchOnce(): Promise<void> {
    this.stats.refetches += 1;
    const waiting = [...this.pending.keys()];
    const countVersion = this.countVersion;
    const count = this.get<UnreadCountDto>('/api/notifications/unread-count');
    const items: NotificationDto[] = [];
    let cursor: string | null = null;
    do {
      const page: NotificationPageDto = await this.get(`/api/notifications?limit=${PAGE_SIZE}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);

    const top = items.length > 0 ? BigInt(items[0].seq) : 0n;
    const listed = new Set(items.map((item) => item.id));
    // Held ones the list does not have: newer ones arrived meanwhile stay; older ones were deleted.
    for (const [id, notification] of this.held) if (!listed.has(id) && BigInt(notification.seq) <= top) this.held.delete(id);
    for (const item of items) this.hold(item);
    this.moveCursorTo(top);
    for (const id of waiting) {
      const pending = this.pending.get(id);
      if (pending && pending.seq > top) {
        this.pending.delete(id);
        this.held.delete(id);
      }
    }
    const { count: unread } = await count;
    // A count pushed since the request was made is at least as recent.
    if (this.countVersion === countVersion) this.unreadCount = unread;
  }

  private moveCursorTo(seq: bigint): void {
    if (seq > this.cursor) this.cursor = seq;
    this.advance();
  }

  private async get<T>(path: string): Promise<T> {
    await this.refreshingToken;
    const response = await fetch(`${this.options.baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${this.options.token()}` },
      signal: AbortSignal.timeout(ACK_TIMEOUT_MS),
    });
    if (response.status === 401) this.refreshToken();
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return (await response.json()) as T;
  }
}

function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
