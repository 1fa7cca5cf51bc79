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
import { type BroadcastPacket, onLocalBroadcast } from '../realtime/local-broadcasts';
import { RedisConnection } from '../realtime/redis-connection';
import type { Replay } from './catch-up.service';

export interface SocketData {
  user: AuthUser;
}

/** A server → client event as Socket.IO emits it: its name and its payload (if any). */
export type RealtimeEvent = { [E in keyof ServerToClientEvents]: [E, ...Parameters<ServerToClientEvents[E]>] }[keyof ServerToClientEvents];

/** No server-side events between nodes: plain WebSocket clients get the sockets' broadcasts (see NotificationPublisher). */
type ServerSideEvents = Record<string, never>;

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;

/** One plain WebSocket client on this node (ws/): it writes Socket.IO's events as its own messages. */
export interface PlainConnection {
  /** Tells it from a Socket.IO socket (see isPlainConnection). */
  readonly transport: 'plain-websocket';
  readonly data: SocketData;
  send(events: readonly RealtimeEvent[]): void;
}

/** This node's plain WebSocket clients, by the same rooms as sockets (`user:{id}`, `role:{role}`). */
export interface PlainConnections {
  /**
   * To each of this node's clients in any of `rooms` once (to every client for null), except
   * those in any of the rooms of `except`.
   */
  deliver(rooms: readonly string[] | null, events: readonly RealtimeEvent[], except?: ReadonlySet<string>): void;
}

/** A client connection on this node, of either transport: what catch-up sends goes to it alone. */
export type ClientConnection = AppSocket | PlainConnection;

export function isPlainConnection(connection: ClientConnection): connection is PlainConnection {
  return (connection as Partial<PlainConnection>).transport === 'plain-websocket';
}

/** Socket.IO's packet type of an event (socket.io-parser's PacketType.EVENT). */
const EVENT_PACKET = 2;

/** Beyond this many users missed during an outage, every socket resyncs rather than a long room list. */
const MAX_USERS_TO_RESYNC = 1000;

/**
 * The one place that emits notifications' events, to Socket.IO and plain WebSocket clients alike.
 * A user's changes go to every device of that user, on every node: each emit goes to the room
 * `user:{id}`, so its payload is built once however many sockets the user has; a catch-up goes to
 * the one connection that asked. Emitting to a room never throws: the change it reports has
 * already been committed.
 *
 * Plain WebSocket clients get the same events, in the same order, because they get the very
 * broadcasts the sockets get: every node's Socket.IO adapter hands each broadcast it writes to its
 * own sockets (an emit made on this node, or one read from the Redis stream) to this node's plain
 * connections in the same rooms (see local-broadcasts.ts). So an emit is one stream message for
 * both transports, read from a resumable offset, and falls under the same outage handling below:
 * a lost append is noticed by the same connection, and `resync` goes to plain clients too.
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
    onLocalBroadcast(server as unknown as Server, (packet, opts) => this.toPlainConnections(packet, opts.rooms, opts.except));
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

  /** Some of the user's notifications changed state or were deleted: each, then the count, in one emit. */
  changed(userId: string, updated: readonly NotificationDto[], deleted: readonly string[], unreadCount: number): void {
    this.toUser(userId, [
      ...updated.map((notification): RealtimeEvent => [ServerEvent.Updated, notification]),
      ...deleted.map((id): RealtimeEvent => [ServerEvent.Deleted, { id }]),
      [ServerEvent.UnreadCount, { count: unreadCount }],
    ]);
  }

  /** A snooze ended: the notification is back in the inbox (and the count). */
  reminded(userId: string, notification: NotificationDto, unreadCount: number): void {
    this.toUser(userId, [
      [ServerEvent.Reminder, notification],
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
    if (isPlainConnection(connection)) return connection.send(events);
    const direct = connection.nsp.local.to(connection.id);
    for (const [event, ...payload] of events) direct.emit(event, ...payload);
  }

  private toUser(userId: string, events: RealtimeEvent[]): void {
    if (this.redis.enabled && !this.redis.connected && this.missedElsewhere.size <= MAX_USERS_TO_RESYNC) this.missedElsewhere.add(userId);
    this.toRooms([userRoom(userId)], events);
  }

  /**
   * To the sockets and plain clients in any of `rooms` (all of them for null) on every node, or
   * only on this one (`local`). Plain clients get each event from the adapter (see
   * toPlainConnections), on this node and on the others, as the sockets do.
   */
  private toRooms(rooms: string[] | null, events: RealtimeEvent[], scope: 'cluster' | 'local' = 'cluster'): void {
    const server = this.server;
    if (!server) return;
    const sockets = scope === 'local' ? (rooms ? server.local.to(rooms) : server.local) : rooms ? server.to(rooms) : server;
    for (const [event, ...payload] of events) {
      // One event that could not be emitted must not keep the others from going out.
      try {
        sockets.emit(event, ...payload);
        this.metrics.eventsEmitted.inc({ event });
      } catch (error) {
        this.logger.error(`could not emit ${event} to ${rooms?.join(', ') ?? 'everyone'}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /**
   * A broadcast this node's adapter wrote to its sockets (emitted here or read from the Redis
   * stream), to this node's plain clients in the same rooms (every one for none), except those in
   * the rooms excepted. Only events: rooms of other kinds (a socket's own, a session's) hold no
   * plain client.
   */
  private toPlainConnections(packet: BroadcastPacket, rooms: ReadonlySet<string>, except: ReadonlySet<string> | undefined): void {
    if (!this.plainConnections || packet.type !== EVENT_PACKET || !Array.isArray(packet.data)) return;
    this.plainConnections.deliver(rooms.size > 0 ? [...rooms] : null, [packet.data as RealtimeEvent], except);
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
