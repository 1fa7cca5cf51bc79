import { Logger, NotFoundException } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import {
  Ack,
  ClientEvent,
  NotificationDto,
  roleRoom,
  ServerEvent,
  SOCKET_PATH,
  SocketError,
  SocketErrorCode,
  SyncResult,
  userRoom,
} from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { MetricsService } from '../metrics/metrics.service';
import { SocketLimits } from '../realtime/socket-limits';
import { SessionsService } from '../sessions/sessions.service';
import { AppServer, AppSocket, NotificationPublisher } from './notification-publisher';
import { NotificationsService } from './notifications.service';
import { parseSeq } from './seq';

/** Longest delay setTimeout accepts; a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Every socket of one session, on this node: a server-side room no client may join. */
const sessionRoom = (sessionId: string): string => `session:${sessionId}`;

class AckError extends Error {
  constructor(readonly code: SocketErrorCode) {
    super(code);
  }
}

/**
 * The Socket.IO side of notifications: authenticates the handshake, puts each socket in its
 * user's and role's rooms, replays what a reconnecting client missed, ends sockets whose token
 * expires, and answers client commands through acknowledgements. What to send and the counts
 * come from NotificationsService.
 */
// No CORS: the Angular app is served from the same origin as the API (and proxied in
// development), and the token travels in the handshake, not in a cookie, so a page on another
// origin gains nothing from opening a socket.
@WebSocketGateway({ path: SOCKET_PATH })
export class NotificationsGateway implements OnGatewayInit<AppServer>, OnGatewayConnection<AppSocket>, OnGatewayDisconnect<AppSocket> {
  private readonly logger = new Logger(NotificationsGateway.name);
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  /** Open sockets per user on this node, for the connected-users gauge. */
  private readonly socketsPerUser = new Map<string, number>();
  private server: AppServer | null = null;

  constructor(
    private readonly sessions: SessionsService,
    private readonly notifications: NotificationsService,
    private readonly publisher: NotificationPublisher,
    private readonly metrics: MetricsService,
    private readonly limits: SocketLimits,
  ) {}

  afterInit(server: AppServer): void {
    this.server = server;
    this.publisher.attach(server);
    // Runs before the socket is connected: a refused socket never joins any room.
    server.use(async (socket, next) => {
      let user: AuthUser | null;
      try {
        user = await this.sessions.authenticate(socket.handshake.auth?.token ?? socket.handshake.query.token);
      } catch (error) {
        this.logger.warn(`handshake refused, sessions cannot be checked: ${error instanceof Error ? error.message : String(error)}`);
        return next(new Error(SocketError.ServerError));
      }
      if (!user) return next(new Error(SocketError.Unauthorized));
      if (!(await this.limits.admit(socket, user.id))) return next(new Error(SocketError.TooManyConnections));
      socket.data.user = user;
      void socket.join([userRoom(user.id), roleRoom(user.role), sessionRoom(user.sessionId)]);
      next();
    });
    this.sessions.changes.on('session-ended', (sessionId) => this.endSessionSockets(server.local.in(sessionRoom(sessionId))));
    this.sessions.changes.on('user-changed', (userId) => void this.recheckSockets(userRoom(userId)));
    this.sessions.changes.on('resync', () => void this.recheckSockets());
  }

  handleConnection(socket: AppSocket): void {
    socket.use(this.limits.guardEvents(socket));
    this.scheduleExpiry(socket, socket.data.user.exp * 1000);
    this.countSocket(socket.data.user.id, +1);
    this.logger.log({ msg: 'socket connected', socketId: socket.id, userId: socket.data.user.id });
    void this.catchUpOnConnect(socket);
  }

  handleDisconnect(socket: AppSocket): void {
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
    this.limits.release(socket, socket.data.user.id);
    this.countSocket(socket.data.user.id, -1);
    this.logger.log({ msg: 'socket disconnected', socketId: socket.id, userId: socket.data.user.id });
  }

  @SubscribeMessage(ClientEvent.MarkRead)
  markRead(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.answer(async () => {
      const notification = await this.notifications.markRead(socket.data.user.id, stringField(payload, 'id'));
      if (notification.readAt) socket.emit(ServerEvent.ReadAck, { id: notification.id, readAt: notification.readAt });
      return { notification };
    });
  }

  @SubscribeMessage(ClientEvent.MarkAllRead)
  markAllRead(@ConnectedSocket() socket: AppSocket): Promise<Ack<{ updated: number }>> {
    return this.answer(async () => ({ updated: await this.notifications.markAllRead(socket.data.user.id) }));
  }

  @SubscribeMessage(ClientEvent.Subscribe)
  subscribe(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.answer(async () => {
      await socket.join(ownChannel(socket, payload));
      return {};
    });
  }

  @SubscribeMessage(ClientEvent.Join)
  join(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.subscribe(socket, payload);
  }

  @SubscribeMessage(ClientEvent.Unsubscribe)
  unsubscribe(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.answer(async () => {
      await socket.leave(ownChannel(socket, payload));
      return {};
    });
  }

  @SubscribeMessage(ClientEvent.Sync)
  sync(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<SyncResult>> {
    return this.answer(async () => {
      const afterSeq = parseSeq(field(payload, 'afterSeq'));
      if (afterSeq === null) throw new AckError(SocketError.InvalidPayload);
      return this.catchUp(socket, afterSeq);
    });
  }

  /** With `auth.lastSeq` the client gets what it missed; every client gets its unread count. */
  private async catchUpOnConnect(socket: AppSocket): Promise<void> {
    try {
      const lastSeq: unknown = socket.handshake.auth?.lastSeq;
      if (lastSeq === undefined || lastSeq === null) {
        socket.emit(ServerEvent.UnreadCount, { count: await this.notifications.unreadCount(socket.data.user.id) });
        return;
      }
      const afterSeq = parseSeq(lastSeq);
      if (afterSeq !== null) {
        await this.catchUp(socket, afterSeq);
        return;
      }
      // A cursor we cannot read: the client's state is unknown, so it refetches.
      socket.emit(ServerEvent.Refresh);
      socket.emit(ServerEvent.UnreadCount, { count: await this.notifications.unreadCount(socket.data.user.id) });
    } catch (error) {
      // Most likely the database is overloaded (a reconnect storm) or down. Staying connected
      // would leave the client without what it missed until its next reconnect; closing the
      // transport makes it reconnect after its back-off and catch up then, cursor unchanged.
      this.logger.warn(`catch-up for socket ${socket.id} failed, closing it so the client retries: ${error instanceof Error ? error.message : String(error)}`);
      socket.conn.close();
    }
  }

  /**
   * Shutdown: refuses new connections and closes the open ones at the transport level, as a
   * network drop would, so Socket.IO clients reconnect by themselves (through the load balancer,
   * to another node) and catch up there. Emits keep working through the Redis adapter for the
   * requests still finishing.
   */
  closeConnections(): void {
    const engine = this.server?.engine;
    if (!engine) return;
    engine.opts.allowRequest = (_request, callback) => callback('server shutting down', false);
    engine.close();
  }

  /** Replays to this socket only, oldest first (or asks it to refetch), then sends the count. */
  private async catchUp(socket: AppSocket, afterSeq: bigint): Promise<SyncResult> {
    const userId = socket.data.user.id;
    const { notifications, refresh, upToSeq, unreadCount } = await this.notifications.replay(userId, afterSeq);
    // Straight to this node's socket, not through the adapter: with connection state recovery
    // (Redis), `socket.emit` first appends to the Redis stream for an offset, so the replay could
    // arrive after the `sync` acknowledgement, or never while Redis is down. A replay is derived
    // from the database again on every reconnect, so it needs no recovery offset.
    const direct = socket.nsp.local.to(socket.id);
    if (refresh) direct.emit(ServerEvent.Refresh);
    for (const notification of notifications) direct.emit(ServerEvent.New, notification);
    direct.emit(ServerEvent.UnreadCount, { count: unreadCount });
    return { replayed: notifications.length, refresh, upToSeq: upToSeq.toString() };
  }

  /** `session:end` to these sockets, then they are closed: their session is over. */
  private endSessionSockets(sockets: Pick<AppServer, 'emit' | 'disconnectSockets'>): void {
    sockets.emit(ServerEvent.SessionEnd, { reason: SocketError.SessionRevoked });
    sockets.disconnectSockets(true);
  }

  /**
   * Asks the database again about the sessions of this node's sockets in `room` (all of them
   * without one): ends the sockets whose session no longer holds and moves the others to their
   * user's current role room.
   */
  private async recheckSockets(room?: string): Promise<void> {
    const namespace = this.server?.of('/');
    if (!namespace) return;
    const ids = room ? [...(namespace.adapter.rooms.get(room) ?? [])] : [...namespace.sockets.keys()];
    const sockets = ids.flatMap((id) => namespace.sockets.get(id) ?? []);
    if (sockets.length === 0) return;
    try {
      const active = await this.sessions.activeSessions([...new Set(sockets.map((socket) => socket.data.user.sessionId))]);
      for (const socket of sockets) {
        const session = active.get(socket.data.user.sessionId);
        if (!session) {
          this.endSessionSockets(namespace.local.in(socket.id));
        } else if (session.role !== socket.data.user.role) {
          void socket.leave(roleRoom(socket.data.user.role));
          void socket.join(roleRoom(session.role));
          socket.data.user = { ...socket.data.user, role: session.role };
        }
      }
    } catch (error) {
      this.logger.warn(`re-checking the sessions of open sockets failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Ends the socket when its token expires, saying why, so the client refreshes the token and reconnects. */
  private scheduleExpiry(socket: AppSocket, expiresAt: number): void {
    const remaining = expiresAt - Date.now();
    const timer = setTimeout(() => {
      if (Date.now() < expiresAt) return this.scheduleExpiry(socket, expiresAt);
      this.expiryTimers.delete(socket.id);
      socket.emit(ServerEvent.SessionEnd, { reason: SocketError.TokenExpired });
      socket.disconnect(true);
    }, Math.min(Math.max(remaining, 0), MAX_TIMER_MS));
    timer.unref();
    this.expiryTimers.set(socket.id, timer);
  }

  private countSocket(userId: string, change: 1 | -1): void {
    const sockets = (this.socketsPerUser.get(userId) ?? 0) + change;
    if (sockets > 0) this.socketsPerUser.set(userId, sockets);
    else this.socketsPerUser.delete(userId);
    this.metrics.connectedSockets.inc(change);
    this.metrics.connectedUsers.set(this.socketsPerUser.size);
  }

  /** Every client command is answered, `{ ok: true, ... }` or `{ ok: false, error }`; none throws. */
  private async answer<T extends object>(work: () => Promise<T>): Promise<Ack<T>> {
    try {
      return { ok: true, ...(await work()) } as Ack<T>;
    } catch (error) {
      if (error instanceof AckError) return { ok: false, error: error.code };
      if (error instanceof NotFoundException) return { ok: false, error: SocketError.NotFound };
      this.logger.error(`socket command failed: ${error instanceof Error ? error.stack : String(error)}`);
      return { ok: false, error: SocketError.ServerError };
    }
  }
}

function field(payload: unknown, name: string): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new AckError(SocketError.InvalidPayload);
  return (payload as Record<string, unknown>)[name];
}

function stringField(payload: unknown, name: string): string {
  const value = field(payload, name);
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw new AckError(SocketError.InvalidPayload);
  return value;
}

/** Only the user's own room and own role's room may be (re)joined or left. */
function ownChannel(socket: AppSocket, payload: unknown): string {
  const channel = stringField(payload, 'channel');
  const { user } = socket.data;
  if (channel !== userRoom(user.id) && channel !== roleRoom(user.role)) throw new AckError(SocketError.Forbidden);
  return channel;
}
