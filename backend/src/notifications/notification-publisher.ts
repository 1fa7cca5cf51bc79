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

/** A server → client event as Socket.IO emits it: its name and its payload (if any). */
export type RealtimeEvent = { [E in keyof ServerToClientEvents]: [E, ...Parameters<ServerToClientEvents[E]>] }[keyof ServerToClientEvents];

/**
 * Between nodes, through the Socket.IO adapter (Redis): events for the other nodes' plain
 * WebSocket clients, in the rooms named (every client for null).
 */
const PLAIN_WEBSOCKET_FAN_OUT = 'plain-websocket:deliver';
interface ServerSideEvents {
  [PLAIN_WEBSOCKET_FAN_OUT]: (rooms: string[] | null, events: RealtimeEvent[]) => void;
}

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;

/** One plain WebSocket client on this node (ws/): it writes Socket.IO's events as its own messages. */
export interface PlainConnection {
  readonly data: SocketData;
  send(events: readonly RealtimeEvent[]): void;
}

/** This node's plain WebSocket clients, by the same rooms as sockets (`user:{id}`, `role:{role}`). */
export interface PlainConnections {
  /** To each of this node's clients in any of `rooms` once (to every client for null). */
  deliver(rooms: readonly string[] | null, events: readonly RealtimeEvent[]): void;
}

/** A client connection on this node, of either transport: what catch-up sends goes to it alone. */
export type ClientConnection = AppSocket | PlainConnection;

/** Beyond this many users missed during an outage, every socket resyncs rather than a long room list. */
const MAX_USERS_TO_RESYNC = 1000;

/**
 * The one place that emits notifications' events, to Socket.IO and plain WebSocket clients alike.
 * A user's changes go to every device of that user, on every node: each emit goes to the room
 * `user:{id}`, so its payload is built once however many sockets the user has; a catch-up goes to
 * the one connection that asked. Emitting to a room never throws: the change it reports has
 * already been committed.
 *
 * Plain WebSocket clients get the same events, in the same order: this node's straight away
 * (PlainConnections), the other nodes' through the Socket.IO adapter's server-side emit. That
 * rides the same Redis stream as the socket events (one order per emitting node, no second Redis
 * channel or subscriber) and falls under the same outage handling below: a lost publish is
 * noticed by the same connection, and `resync` goes to plain clients too.
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
  private plainConnections: PlainConnections | null = null;
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
    server.on(PLAIN_WEBSOCKET_FAN_OUT, (rooms, events) => this.plainConnections?.deliver(rooms, events));
  }

  /** Called by the plain WebSocket gateway (ws/) once it serves connections. */
  attachPlainConnections(connections: PlainConnections): void {
    this.plainConnections = connections;
  }

  created(userId: string, notifications: NewNotificationPayload[], unreadCount: number): void {
    this.toUser(userId, [...notifications.map((notification): RealtimeEvent => [ServerEvent.New, notification]), [ServerEvent.UnreadCount, { count: unreadCount }]]);
    const now = Date.now();
    for (const notification of notifications) this.metrics.deliveryLatency.observe((now - Date.parse(notification.createdAt)) / 1000);
  }

  updated(userId: string, notification: NotificationDto, unreadCount: number): void {
    this.toUser(userId, [
      [ServerEvent.Updated, notification],
      [ServerEvent.UnreadCount, { count: unreadCount }],
    ]);
  }

  deleted(userId: string, id: string, unreadCount: number): void {
    this.toUser(userId, [
      [ServerEvent.Deleted, { id }],
      [ServerEvent.UnreadCount, { count: unreadCount }],
    ]);
  }

  /** Many notifications changed at once: devices refetch rather than receive each one. */
  refreshed(userId: string, unreadCount: number): void {
    this.toUser(userId, [[ServerEvent.Refresh], [ServerEvent.UnreadCount, { count: unreadCount }]]);
  }

  /** A send's receipt counts, to its sender's devices and every admin's (once each). */
  sendUpdated(senderId: string | null, payload: SendUpdatedPayload): void {
    this.toRooms([roleRoom('ADMIN'), ...(senderId ? [userRoom(senderId)] : [])], [[ServerEvent.SendUpdated, payload]]);
  }

  // ---- to one connection: catch-up (see CatchUpService) ----------------------------------

  unreadCountTo(connection: ClientConnection, unreadCount: number): void {
    this.toConnection(connection, [[ServerEvent.UnreadCount, { count: unreadCount }]]);
  }

  /** The connection's client should refetch its list: what it holds is unknown. */
  refreshTo(connection: ClientConnection): void {
    this.toConnection(connection, [[ServerEvent.Refresh]]);
  }

  /** What the connection missed, oldest first (or a refresh), then the count. */
  replayTo(connection: ClientConnection, replay: Pick<Replay, 'notifications' | 'refresh' | 'unreadCount'>): void {
    this.toConnection(connection, [
      ...(replay.refresh ? [[ServerEvent.Refresh] as RealtimeEvent] : []),
      ...replay.notifications.map((notification): RealtimeEvent => [ServerEvent.New, notification]),
      [ServerEvent.UnreadCount, { count: replay.unreadCount }],
    ]);
  }

  /**
   * Straight to this node's connection, never through Redis: a catch-up must arrive before the
   * `sync` answer and also while Redis is down, and it is derived from the database again on
   * every reconnect, so it needs no recovery offset (were connection state recovery turned on,
   * `socket.emit` would first append to the Redis stream for one).
   */
  private toConnection(connection: ClientConnection, events: RealtimeEvent[]): void {
    // Only a Socket.IO socket belongs to a namespace.
    if (!('nsp' in connection)) return connection.send(events);
    const direct = connection.nsp.local.to(connection.id);
    for (const [event, ...payload] of events) direct.emit(event, ...payload);
  }

  private toUser(userId: string, events: RealtimeEvent[]): void {
    if (this.redis.enabled && !this.redis.connected && this.missedElsewhere.size <= MAX_USERS_TO_RESYNC) this.missedElsewhere.add(userId);
    this.toRooms([userRoom(userId)], events);
  }

  /**
   * To the sockets and plain clients in any of `rooms` (all of them for null) on every node, or
   * only on this one (`local`).
   */
  private toRooms(rooms: string[] | null, events: RealtimeEvent[], scope: 'cluster' | 'local' = 'cluster'): void {
    const server = this.server;
    if (!server) return;
    try {
      const sockets = scope === 'local' ? (rooms ? server.local.to(rooms) : server.local) : rooms ? server.to(rooms) : server;
      for (const [event, ...payload] of events) {
        sockets.emit(event, ...payload);
        this.metrics.eventsEmitted.inc({ event });
      }
      this.plainConnections?.deliver(rooms, events);
      // Not received by this node: its own clients have just had them.
      if (scope === 'cluster' && this.redis.enabled) server.serverSideEmit(PLAIN_WEBSOCKET_FAN_OUT, rooms, events);
    } catch (error) {
      this.logger.error(`could not emit to ${rooms?.join(', ') ?? 'everyone'}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private resyncAfterOutage(publishLost: boolean): void {
    const users = [...this.missedElsewhere];
    this.missedElsewhere.clear();
    if (!this.server) return;
    // An emit that failed mid-command could have been for anyone.
    if (publishLost || users.length > MAX_USERS_TO_RESYNC) {
      this.logger.warn('Redis is back: every socket resyncs');
      this.toRooms(null, [[ServerEvent.Resync]]);
      return;
    }
    this.toRooms(null, [[ServerEvent.Resync]], 'local');
    if (users.length > 0) this.toRooms(users.map(userRoom), [[ServerEvent.Resync]]);
    this.logger.log(`Redis is back: this node's sockets and those of ${users.length} users elsewhere resync`);
  }
}
