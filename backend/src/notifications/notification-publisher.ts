import { Injectable, Logger } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import {
  ClientToServerEvents,
  NewNotificationPayload,
  NotificationDto,
  roleRoom,
  SendUpdatedPayload,
  ServerEvent,
  ServerToClientEvents,
  userRoom,
} from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { MetricsService } from '../metrics/metrics.service';
import { RedisConnection } from '../realtime/redis-connection';
import type { Replay } from './catch-up.service';

export interface SocketData {
  user: AuthUser;
}
export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RoomEmit = <E extends keyof ServerToClientEvents>(event: E, ...payload: Parameters<ServerToClientEvents[E]>) => void;

/** Beyond this many users missed during an outage, every socket resyncs rather than a long room list. */
const MAX_USERS_TO_RESYNC = 1000;

/**
 * The one place that emits notifications' events. A user's changes go to every device of that
 * user, on every node: each emit goes to the room `user:{id}`, so its payload is built once
 * however many sockets the user has; a catch-up goes to the one socket that asked. Emitting to
 * a room never throws: the change it reports has already been committed.
 *
 * While Redis is unreachable an emit reaches this node's sockets only. When it is back, sockets
 * that may have missed something are told to resync (`notification:resync`, answered with a
 * `sync` from the client's safe cursor): this node's own, which may have missed other nodes'
 * events, and, on every node, those of the users this node emitted to meanwhile.
 */
@Injectable()
export class NotificationPublisher {
  private readonly logger = new Logger(NotificationPublisher.name);
  private server: AppServer | null = null;
  /** Users this node emitted to while Redis was unreachable: their sockets elsewhere missed it. */
  private readonly missedElsewhere = new Set<string>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly redis: RedisConnection,
  ) {
    redis.onReconnect((publishLost) => this.resyncAfterOutage(publishLost));
  }

  /** Called by the gateway once the Socket.IO server exists. */
  attach(server: AppServer): void {
    this.server = server;
  }

  created(userId: string, notifications: NewNotificationPayload[], unreadCount: number): void {
    this.emit(userId, (emit) => {
      const now = Date.now();
      for (const notification of notifications) {
        emit(ServerEvent.New, notification);
        this.metrics.deliveryLatency.observe((now - Date.parse(notification.createdAt)) / 1000);
      }
      emit(ServerEvent.UnreadCount, { count: unreadCount });
    });
  }

  updated(userId: string, notification: NotificationDto, unreadCount: number): void {
    this.emit(userId, (emit) => {
      emit(ServerEvent.Updated, notification);
      emit(ServerEvent.UnreadCount, { count: unreadCount });
    });
  }

  deleted(userId: string, id: string, unreadCount: number): void {
    this.emit(userId, (emit) => {
      emit(ServerEvent.Deleted, { id });
      emit(ServerEvent.UnreadCount, { count: unreadCount });
    });
  }

  /** Many notifications changed at once: devices refetch rather than receive each one. */
  refreshed(userId: string, unreadCount: number): void {
    this.emit(userId, (emit) => {
      emit(ServerEvent.Refresh);
      emit(ServerEvent.UnreadCount, { count: unreadCount });
    });
  }

  /** A send's receipt counts, to its sender's devices and every admin's (once each). */
  sendUpdated(senderId: string | null, payload: SendUpdatedPayload): void {
    const server = this.server;
    if (!server) return;
    try {
      server.to([roleRoom('ADMIN'), ...(senderId ? [userRoom(senderId)] : [])]).emit(ServerEvent.SendUpdated, payload);
      this.metrics.eventsEmitted.inc({ event: ServerEvent.SendUpdated });
    } catch (error) {
      this.logger.error(`could not emit send:updated: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---- to one socket: catch-up (see CatchUpService) --------------------------------------

  unreadCountTo(socket: AppSocket, unreadCount: number): void {
    socket.emit(ServerEvent.UnreadCount, { count: unreadCount });
  }

  /** The socket's client should refetch its list: what it holds is unknown. */
  refreshTo(socket: AppSocket): void {
    socket.emit(ServerEvent.Refresh);
  }

  /**
   * What the socket missed, oldest first (or a refresh), then the count. Straight to this node's
   * socket, never through Redis: it must arrive before the `sync` acknowledgement and also while
   * Redis is down, and it is derived from the database again on every reconnect, so it needs no
   * recovery offset (were connection state recovery turned on, `socket.emit` would first append
   * to the Redis stream for one).
   */
  replayTo(socket: AppSocket, replay: Pick<Replay, 'notifications' | 'refresh' | 'unreadCount'>): void {
    const direct = socket.nsp.local.to(socket.id);
    if (replay.refresh) direct.emit(ServerEvent.Refresh);
    for (const notification of replay.notifications) direct.emit(ServerEvent.New, notification);
    direct.emit(ServerEvent.UnreadCount, { count: replay.unreadCount });
  }

  private emit(userId: string, send: (emit: RoomEmit) => void): void {
    const server = this.server;
    if (!server) return;
    if (this.redis.enabled && !this.redis.connected && this.missedElsewhere.size <= MAX_USERS_TO_RESYNC) this.missedElsewhere.add(userId);
    try {
      const room = server.to(userRoom(userId));
      send((event, ...payload) => {
        room.emit(event, ...payload);
        this.metrics.eventsEmitted.inc({ event });
      });
    } catch (error) {
      this.logger.error(`could not emit to ${userRoom(userId)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private resyncAfterOutage(publishLost: boolean): void {
    const server = this.server;
    const users = [...this.missedElsewhere];
    this.missedElsewhere.clear();
    if (!server) return;
    try {
      // An emit that failed mid-command could have been for anyone.
      if (publishLost || users.length > MAX_USERS_TO_RESYNC) {
        this.logger.warn('Redis is back: every socket resyncs');
        server.emit(ServerEvent.Resync);
        return;
      }
      server.local.emit(ServerEvent.Resync);
      if (users.length > 0) server.to(users.map(userRoom)).emit(ServerEvent.Resync);
      this.logger.log(`Redis is back: this node's sockets and those of ${users.length} users elsewhere resync`);
    } catch (error) {
      this.logger.error(`could not ask sockets to resync: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
