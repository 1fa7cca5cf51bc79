import WebSocket from 'ws';
import { Ack, PlainCloseCode, PlainServerFrame, PlainServerMessage, roleRoom, ServerEvent, SocketErrorCode, userRoom } from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import type { PlainConnection, PlainConnections, RealtimeEvent, SocketData } from '../notifications/notification-publisher';
import { SocketRateLimiter } from '../realtime/socket-rate-limiter';
import { toPlainFrame } from './plain-messages';

/**
 * Bytes queued for a client at most. One that stops reading (a stalled network, or on purpose)
 * would otherwise make the node hold everything sent to it; notifications are a few hundred
 * bytes, so this is thousands of them.
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** One plain WebSocket client on this node: its user, its event budget, and how it is written to. */
export class PlainWebSocketConnection implements PlainConnection {
  readonly transport = 'plain-websocket';
  readonly data: SocketData;
  /** Answered the last heartbeat ping (see PlainWebSocketGateway). */
  alive = true;
  /** Live frames held while the connect catch-up is under way (see holdLive), with the seq of a notification_created. */
  private held: Array<{ frame: string; seq: bigint | null }> | null = null;
  /** The highest seq the catch-up sent while live frames were held. */
  private caughtUpTo: bigint | null = null;

  constructor(
    readonly id: string,
    private readonly socket: WebSocket,
    user: AuthUser,
    readonly limiter: SocketRateLimiter,
    /** Told when the connection is cut for not reading (MAX_BUFFERED_BYTES queued), before it is. */
    private readonly onSlowReader: (connection: PlainWebSocketConnection) => void = () => undefined,
  ) {
    this.data = { user };
  }

  /** The rooms of the publisher it is in: its user's and its role's. */
  get rooms(): string[] {
    return [userRoom(this.data.user.id), roleRoom(this.data.user.role)];
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The publisher's events to this client alone (a catch-up), as plain messages. */
  send(events: readonly RealtimeEvent[]): void {
    for (const event of events) {
      const frame = toPlainFrame(event);
      if (!frame) continue;
      const seq = seqOf(event);
      if (this.held && seq !== null && (this.caughtUpTo === null || seq > this.caughtUpTo)) this.caughtUpTo = seq;
      this.write(JSON.stringify(frame));
    }
  }

  /**
   * From now until releaseLive, live frames wait: the connect catch-up (replay, then count) goes
   * out first, and what it already contained is not sent twice.
   */
  holdLive(): void {
    this.held ??= [];
  }

  /** Sends the live frames held, in order, but no notification_created the catch-up already sent. */
  releaseLive(): void {
    const held = this.held ?? [];
    const caughtUpTo = this.caughtUpTo;
    this.held = null;
    this.caughtUpTo = null;
    for (const { frame, seq } of held) if (seq === null || caughtUpTo === null || seq > caughtUpTo) this.write(frame);
  }

  /** A live (broadcast) frame: written now, or held during the connect catch-up. `seq` is a notification_created's. */
  deliver(frame: string, seq: bigint | null): void {
    if (this.held) this.held.push({ frame, seq });
    else this.write(frame);
  }

  /** An encoded frame, shared by every client it goes to. */
  write(frame: string): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.onSlowReader(this);
      this.socket.terminate();
      return;
    }
    this.socket.send(frame);
  }

  /** The answer to a client message, carrying its requestId. */
  answer(requestId: string | number | undefined, result: Ack): void {
    this.writeFrame({ type: PlainServerMessage.Result, payload: result, ...(requestId === undefined ? {} : { requestId }) });
  }

  pong(requestId: string | number | undefined): void {
    this.writeFrame({ type: PlainServerMessage.Pong, payload: {}, ...(requestId === undefined ? {} : { requestId }) });
  }

  /** `session_end` with the reason, then the close frame with `code` and the same reason. */
  end(reason: SocketErrorCode, code: number = PlainCloseCode.SessionEnded): void {
    this.writeFrame({ type: PlainServerMessage.SessionEnd, payload: { reason } });
    this.close(code, reason);
  }

  close(code: number, reason: string): void {
    if (this.open) this.socket.close(code, reason);
  }

  /** Cuts the TCP connection without a closing handshake: the peer is gone or will not answer. */
  terminate(): void {
    this.socket.terminate();
  }

  ping(): void {
    this.alive = false;
    if (this.open) this.socket.ping();
  }

  private writeFrame(frame: PlainServerFrame): void {
    this.write(JSON.stringify(frame));
  }
}

/**
 * This node's plain WebSocket clients, indexed by the publisher's rooms (`user:{id}`,
 * `role:{role}`) and by session.
 */
export class PlainConnectionRegistry implements PlainConnections {
  private readonly byRoom = new Map<string, Set<PlainWebSocketConnection>>();
  private readonly bySession = new Map<string, Set<PlainWebSocketConnection>>();
  private readonly connections = new Set<PlainWebSocketConnection>();

  get size(): number {
    return this.connections.size;
  }

  add(connection: PlainWebSocketConnection): void {
    this.connections.add(connection);
    for (const room of connection.rooms) addTo(this.byRoom, room, connection);
    addTo(this.bySession, connection.data.user.sessionId, connection);
  }

  remove(connection: PlainWebSocketConnection): void {
    if (!this.connections.delete(connection)) return;
    for (const room of connection.rooms) removeFrom(this.byRoom, room, connection);
    removeFrom(this.bySession, connection.data.user.sessionId, connection);
  }

  /** The user's role or teams changed (same session): its rooms follow. */
  moveTo(connection: PlainWebSocketConnection, user: AuthUser): void {
    if (!this.connections.has(connection)) return;
    this.remove(connection);
    connection.data.user = user;
    this.add(connection);
  }

  /**
   * The publisher's events, encoded once, to each client in any of `rooms` once (every client for
   * null), but not to those in any of the rooms of `except`.
   */
  deliver(rooms: readonly string[] | null, events: readonly RealtimeEvent[], except?: ReadonlySet<string>): void {
    const recipients = rooms ? new Set(rooms.flatMap((room) => [...(this.byRoom.get(room) ?? [])])) : this.connections;
    if (recipients.size === 0) return;
    const frames = events.flatMap((event) => {
      const frame = toPlainFrame(event);
      return frame ? [{ frame: JSON.stringify(frame), seq: seqOf(event) }] : [];
    });
    if (frames.length === 0) return;
    for (const connection of recipients) {
      if (except?.size && connection.rooms.some((room) => except.has(room))) continue;
      for (const { frame, seq } of frames) connection.deliver(frame, seq);
    }
  }

  inSession(sessionId: string): PlainWebSocketConnection[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  ofUser(userId: string): PlainWebSocketConnection[] {
    return [...(this.byRoom.get(userRoom(userId)) ?? [])];
  }

  all(): PlainWebSocketConnection[] {
    return [...this.connections];
  }
}

/** The seq of a new notification's event, null for any other event. */
function seqOf(event: RealtimeEvent): bigint | null {
  if (event[0] !== ServerEvent.New) return null;
  try {
    return BigInt(event[1].seq);
  } catch {
    return null;
  }
}

function addTo<K>(index: Map<K, Set<PlainWebSocketConnection>>, key: K, connection: PlainWebSocketConnection): void {
  const members = index.get(key) ?? new Set<PlainWebSocketConnection>();
  members.add(connection);
  index.set(key, members);
}

function removeFrom<K>(index: Map<K, Set<PlainWebSocketConnection>>, key: K, connection: PlainWebSocketConnection): void {
  const members = index.get(key);
  if (!members?.delete(connection)) return;
  if (members.size === 0) index.delete(key);
}
