import { io } from 'socket.io-client';
import {
  CatchUp,
  ClientEvent,
  NotificationDto,
  NotificationPageDto,
  ServerEvent,
  SOCKET_PATH,
  SocketAuth,
  SocketError,
  SyncOutcome,
  SyncPayload,
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

const PAGE_SIZE = 100;
const RETRY_MS = 500;
const ACK_TIMEOUT_MS = 10_000;

/**
 * The reference client of the WebSocket contract (docs/websocket-contract.md), as a Node program
 * would write it: the catch-up rules themselves (safe cursor, gaps, duplicates, deletions,
 * refresh) are `CatchUp` from the contracts, the same code the Angular NotificationService runs;
 * this class only wires it to a socket.io-client socket and to fetch. The zero-loss tests drive it
 * through faults, so they prove that code.
 *
 * - Every (re)connect sends the current token and the safe cursor (`auth` as a function); a
 *   reconnect also refetches the list, since reads and deletions made elsewhere meanwhile are
 *   not replayed. `notification:refresh` refetches; `notification:resync` syncs and refetches.
 * - A refused handshake or a socket the server ended is retried after RETRY_MS, with a fresh
 *   token first when the token was the reason.
 *
 * Unlike a UI, which shows the first page and loads older ones on demand, this client keeps the
 * whole inbox, so a refetch reads every page.
 */
export class NotificationClient {
  readonly stats: ClientStats = { connects: 0, received: 0, duplicates: 0, syncs: 0, refetches: 0, resyncs: 0 };

  private readonly inbox: CatchUp;
  private readonly socket: ClientSocket;
  private refetching: Promise<void> | null = null;
  private refetchAgain = false;
  /** A token refresh under way; a reconnection waits for it. */
  private refreshingToken: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: NotificationClientOptions) {
    this.inbox = new CatchUp({
      gapGraceMs: options.gapGraceMs ?? 250,
      schedule: (task, delayMs) => {
        const timer = setTimeout(task, delayMs);
        return () => clearTimeout(timer);
      },
      sync: (request) => this.sendSync(request),
      refetch: () => void this.refetch(),
    });
    this.socket = io(options.baseUrl, {
      path: SOCKET_PATH,
      transports: ['websocket'],
      forceNew: true,
      autoConnect: false,
      reconnectionDelay: options.reconnectionDelay ?? 1000,
      reconnectionDelayMax: options.reconnectionDelayMax ?? 5000,
      auth: (send) => {
        const lastSeq = this.inbox.cursor;
        send({ token: this.options.token(), ...(lastSeq === null ? {} : { lastSeq }) } satisfies SocketAuth);
      },
    });
    this.listen();
  }

  /** Safe cursor: everything of the user's with a seq up to here is held or was deleted. */
  get cursor(): bigint {
    return BigInt(this.inbox.cursor ?? '0');
  }

  get unreadCount(): number | null {
    return this.inbox.unreadCount;
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
    this.inbox.dispose();
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
    return this.inbox.newestFirst().reverse();
  }

  /** Nothing received is waiting on a gap, and no sync or refetch is under way. */
  get settled(): boolean {
    return this.inbox.settled && !this.refetching;
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
    socket.on(ServerEvent.New, (notification) => {
      this.stats.received += 1;
      if (this.inbox.receive(notification).duplicate) this.stats.duplicates += 1;
    });
    socket.on(ServerEvent.Updated, (notification) => this.inbox.update(notification));
    socket.on(ServerEvent.ReadAck, ({ id, readAt }) => this.inbox.acknowledgeRead(id, readAt));
    socket.on(ServerEvent.Deleted, ({ id }) => this.inbox.remove(id));
    socket.on(ServerEvent.UnreadCount, ({ count }) => this.inbox.setUnreadCount(count));
    socket.on(ServerEvent.Refresh, () => void this.refetch());
    socket.on(ServerEvent.Resync, () => {
      this.stats.resyncs += 1;
      void this.inbox.resync();
    });
  }

  private refreshToken(): void {
    this.refreshingToken = this.refreshingToken.then(() => this.options.refreshToken?.()).catch(() => undefined);
  }

  private reconnectSoon(): void {
    void this.refreshingToken.then(() => setTimeout(() => this.stopped || this.socket.connect(), RETRY_MS));
  }

  private async sendSync(request: SyncPayload): Promise<SyncOutcome> {
    if (!this.socket.connected) return 'not-connected';
    this.stats.syncs += 1;
    try {
      return await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.Sync, request);
    } catch {
      return 'unanswered';
    }
  }

  /** Reads the whole inbox through REST and the count; one at a time, again if asked meanwhile. */
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
    const ticket = this.inbox.listingRequested();
    const count = this.get<UnreadCountDto>('/api/notifications/unread-count');
    count.catch(() => undefined); // awaited below; a failed page must not leave it unhandled
    const items: NotificationDto[] = [];
    let cursor: string | null = null;
    do {
      const page: NotificationPageDto = await this.get(`/api/notifications?limit=${PAGE_SIZE}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const { count: unreadCount } = await count;
    this.inbox.applyListing(ticket, { items, complete: true, unreadCount });
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
