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
import { ForbiddenError } from '../common/domain-errors';
import { MetricsService } from '../metrics/metrics.service';
import { ConnectionSessions } from '../realtime/connection-sessions';
import { SocketLimits } from '../realtime/socket-limits';
import type { ActiveSession } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { CatchUpService } from './catch-up.service';
import { NotificationCommands, stringField } from './notification-commands';
import { AppServer, AppSocket, NotificationPublisher } from './notification-publisher';

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
  private server: AppServer | null = null;
  /** Admission, token expiry and session re-checks, shared with the plain WebSocket gateway. */
  private readonly sessionRules: ConnectionSessions<AppSocket>;

  constructor(
    sessions: SessionsService,
    private readonly commands: NotificationCommands,
    private readonly catchUp: CatchUpService,
    private readonly publisher: NotificationPublisher,
    private readonly metrics: MetricsService,
    private readonly limits: SocketLimits,
  ) {
    this.sessionRules = new ConnectionSessions<AppSocket>(
      sessions,
      limits,
      {
        userOf: (socket) => socket.data.user,
        end: (socket, reason) => {
          socket.emit(ServerEvent.SessionEnd, { reason });
          socket.disconnect(true);
        },
        endSession: (sessionId) => this.server && this.endSessionSockets(this.server.local.in(sessionRoom(sessionId))),
        moveTo: moveToCurrentRooms,
        connections: (userId) => this.localSockets(userId),
      },
      this.logger,
    );
  }

  afterInit(server: AppServer): void {
    this.server = server;
    this.publisher.attach(server);
    // Runs before the socket is connected: a refused socket never joins any room.
    server.use(async (socket, next) => {
      const admission = await this.sessionRules.admit(socket.handshake.auth?.token ?? socket.handshake.query.token, socket, 'handshake');
      if ('refusal' in admission) return next(new Error(admission.refusal));
      const { user, changeMark } = admission;
      // The session ended or its user changed while this handshake waited: that notice went to
      // rooms this socket was not in yet. Refused as a retry, which checks afresh.
      if (this.sessionRules.changedSince(changeMark, user)) {
        this.limits.release(socket, user.id);
        return next(new Error(SocketError.ServerError));
      }
      socket.data.user = user;
      void socket.join([userRoom(user.id), roleRoom(user.role), sessionRoom(user.sessionId), ...user.teamIds.map(teamRoom)]);
      next();
    });
    this.sessionRules.watchChanges();
  }

  handleConnection(socket: AppSocket): void {
    socket.use(this.limits.guardEvents(socket));
    this.sessionRules.scheduleExpiry(socket, socket.data.user.exp * 1000);
    this.metrics.connectedSockets.inc();
    this.logger.log({ msg: 'socket connected', socketId: socket.id, userId: socket.data.user.id });
    void this.catchUpOnConnect(socket);
  }

  handleDisconnect(socket: AppSocket): void {
    this.sessionRules.forget(socket);
    this.limits.release(socket, socket.data.user.id);
    this.metrics.connectedSockets.dec();
    this.logger.log({ msg: 'socket disconnected', socketId: socket.id, userId: socket.data.user.id });
  }

  @SubscribeMessage(ClientEvent.MarkRead)
  async markRead(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    const answer = await this.commands.change(socket.data.user, 'read', payload);
    if (answer.ok && answer.notification.readAt) socket.emit(ServerEvent.ReadAck, { id: answer.notification.id, readAt: answer.notification.readAt });
    return answer;
  }

  @SubscribeMessage(ClientEvent.MarkUnread)
  markUnread(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.commands.change(socket.data.user, 'unread', payload);
  }

  @SubscribeMessage(ClientEvent.Archive)
  archive(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.commands.change(socket.data.user, 'archive', payload);
  }

  @SubscribeMessage(ClientEvent.Unarchive)
  unarchive(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.commands.change(socket.data.user, 'unarchive', payload);
  }

  @SubscribeMessage(ClientEvent.Snooze)
  snooze(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.commands.change(socket.data.user, 'snooze', payload);
  }

  @SubscribeMessage(ClientEvent.Unsnooze)
  unsnooze(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.commands.change(socket.data.user, 'unsnooze', payload);
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

  /** This node's sockets in the user's room, or all of them without one. */
  private localSockets(userId?: string): AppSocket[] {
    const namespace = this.server?.of('/');
    if (!namespace) return [];
    const ids = userId ? [...(namespace.adapter.rooms.get(userRoom(userId)) ?? [])] : [...namespace.sockets.keys()];
    return ids.flatMap((id) => namespace.sockets.get(id) ?? []);
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
