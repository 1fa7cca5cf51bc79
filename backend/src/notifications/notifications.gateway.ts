import { Logger } from '@nestjs/common';
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
  SeenResult,
  ServerEvent,
  SOCKET_PATH,
  SocketError,
  SyncResult,
  teamRoom,
  userRoom,
} from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { ForbiddenError } from '../common/domain-errors';
import { MetricsService } from '../metrics/metrics.service';
import { SocketLimits } from '../realtime/socket-limits';
import type { ActiveSession } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { CatchUpService } from './catch-up.service';
import { NotificationCommands, stringField } from './notification-commands';
import { AppServer, AppSocket, NotificationPublisher } from './notification-publisher';

/** Longest delay setTimeout accepts; a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Every socket of one session, on this node: a server-side room no client may join. */
const sessionRoom = (sessionId: string): string => `session:${sessionId}`;

/**
 * The Socket.IO side of notifications: authenticates the handshake, puts each socket in its
 * user's, role's and session's rooms, ends sockets whose token expires or whose session ends,
 * and answers client commands through acknowledgements. What a connecting socket missed comes
 * from CatchUpService, the commands from NotificationCommands (shared with plain WebSockets).
 */
// No CORS: the Angular app is served from the same origin as the API (and proxied in
// development), and the token travels in the handshake, not in a cookie, so a page on another
// origin gains nothing from opening a socket.
@WebSocketGateway({ path: SOCKET_PATH })
export class NotificationsGateway implements OnGatewayInit<AppServer>, OnGatewayConnection<AppSocket>, OnGatewayDisconnect<AppSocket> {
  private readonly logger = new Logger(NotificationsGateway.name);
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  /** Numbers the re-checks; a socket keeps the rooms of the latest one that reached it (see recheckSockets). */
  private rechecks = 0;
  private readonly lastRecheck = new WeakMap<AppSocket, number>();
  private server: AppServer | null = null;

  constructor(
    private readonly sessions: SessionsService,
    private readonly commands: NotificationCommands,
    private readonly catchUp: CatchUpService,
    private readonly publisher: NotificationPublisher,
    private readonly metrics: MetricsService,
    private readonly limits: SocketLimits,
  ) {}

  afterInit(server: AppServer): void {
    this.server = server;
    this.publisher.attach(server);
    // Runs before the socket is connected: a refused socket never joins any room.
    server.use(async (socket, next) => {
      const mark = this.sessions.changeMark;
      let user: AuthUser | null;
      try {
        user = await this.sessions.authenticate(socket.handshake.auth?.token ?? socket.handshake.query.token);
      } catch (error) {
        this.logger.warn(`handshake refused, sessions cannot be checked: ${error instanceof Error ? error.message : String(error)}`);
        return next(new Error(SocketError.ServerError));
      }
      if (!user) return next(new Error(SocketError.Unauthorized));
      if (!(await this.limits.admit(socket, user.id))) return next(new Error(SocketError.TooManyConnections));
      // The session ended or its user changed while this handshake waited: that notice went to
      // rooms this socket was not in yet. Refused as a retry, which checks afresh.
      if (this.sessions.changedSince(mark, user.sessionId, user.id)) {
        this.limits.release(socket, user.id);
        return next(new Error(SocketError.ServerError));
      }
      socket.data.user = user;
      void socket.join([userRoom(user.id), roleRoom(user.role), sessionRoom(user.sessionId), ...user.teamIds.map(teamRoom)]);
      next();
    });
    this.sessions.changes.on('session-ended', (sessionId) => this.endSessionSockets(server.local.in(sessionRoom(sessionId))));
    this.sessions.changes.on('user-changed', (userId) => void this.recheckSockets(userRoom(userId)));
    this.sessions.changes.on('resync', () => void this.recheckSockets());
  }

  handleConnection(socket: AppSocket): void {
    socket.use(this.limits.guardEvents(socket));
    this.scheduleExpiry(socket, socket.data.user.exp * 1000);
    this.metrics.connectedSockets.inc();
    this.logger.log({ msg: 'socket connected', socketId: socket.id, userId: socket.data.user.id });
    void this.catchUpOnConnect(socket);
  }

  handleDisconnect(socket: AppSocket): void {
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
    this.limits.release(socket, socket.data.user.id);
    this.metrics.connectedSockets.dec();
    this.logger.log({ msg: 'socket disconnected', socketId: socket.id, userId: socket.data.user.id });
  }

  @SubscribeMessage(ClientEvent.MarkRead)
  async markRead(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    const answer = await this.commands.markRead(socket.data.user, payload);
    if (answer.ok && answer.notification.readAt) socket.emit(ServerEvent.ReadAck, { id: answer.notification.id, readAt: answer.notification.readAt });
    return answer;
  }

  @SubscribeMessage(ClientEvent.Ack)
  acknowledge(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.commands.acknowledge(socket.data.user, payload);
  }

  @SubscribeMessage(ClientEvent.Delivered)
  delivered(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.commands.delivered(socket.data.user, payload);
  }

  @SubscribeMessage(ClientEvent.Seen)
  seen(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<SeenResult>> {
    return this.commands.seen(socket.data.user, payload);
  }

  @SubscribeMessage(ClientEvent.MarkAllRead)
  markAllRead(@ConnectedSocket() socket: AppSocket): Promise<Ack<{ updated: number }>> {
    return this.commands.markAllRead(socket.data.user);
  }

  @SubscribeMessage(ClientEvent.Subscribe)
  subscribe(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.commands.answer(async () => {
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
    return this.commands.answer(async () => {
      await socket.leave(ownChannel(socket, payload));
      return {};
    });
  }

  @SubscribeMessage(ClientEvent.Sync)
  sync(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<SyncResult>> {
    return this.commands.sync(socket, payload);
  }

  /** What the socket missed, or its unread count (see CatchUpService.onConnect). */
  private async catchUpOnConnect(socket: AppSocket): Promise<void> {
    try {
      await this.catchUp.onConnect(socket, socket.handshake.auth?.lastSeq);
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

  /** `session:end` to these sockets, then they are closed: their session is over. */
  private endSessionSockets(sockets: Pick<AppServer, 'emit' | 'disconnectSockets'>): void {
    sockets.emit(ServerEvent.SessionEnd, { reason: SocketError.SessionRevoked });
    sockets.disconnectSockets(true);
  }

  /**
   * Asks the database again about the sessions of this node's sockets in `room` (all of them
   * without one): ends the sockets whose session no longer holds and moves the others to their
   * user's current role and team rooms. Two re-checks of one socket may answer out of order (two
   * pooled connections): the one that began later read the later state, so an earlier one that
   * answers after it changes nothing.
   */
  private async recheckSockets(room?: string): Promise<void> {
    const recheck = ++this.rechecks;
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
        } else if ((this.lastRecheck.get(socket) ?? 0) < recheck) {
          this.lastRecheck.set(socket, recheck);
          moveToCurrentRooms(socket, session);
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
}

/** Only the user's own room, own role's room and own teams' rooms may be (re)joined or left. */
function ownChannel(socket: AppSocket, payload: unknown): string {
  const channel = stringField(payload, 'channel');
  const { user } = socket.data;
  const own = channel === userRoom(user.id) || channel === roleRoom(user.role) || user.teamIds.some((id) => channel === teamRoom(id));
  if (!own) throw new ForbiddenError('a socket may only join its own user, role and team rooms');
  return channel;
}

/** From the rooms of the role and teams the socket's user had to those they have now, without a reconnect. */
function moveToCurrentRooms(socket: AppSocket, session: ActiveSession): void {
  const { user } = socket.data;
  if (session.role !== user.role) {
    void socket.leave(roleRoom(user.role));
    void socket.join(roleRoom(session.role));
  }
  const now = new Set(session.teamIds);
  for (const id of user.teamIds) if (!now.has(id)) void socket.leave(teamRoom(id));
  const before = new Set(user.teamIds);
  for (const id of session.teamIds) if (!before.has(id)) void socket.join(teamRoom(id));
  socket.data.user = { ...user, role: session.role, teamIds: session.teamIds };
}
