import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Event, Socket } from 'socket.io';
import { ClientEvent, ServerEvent, SocketError } from '@clinic/contracts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { COUNTER_TIMEOUT_MS, RedisConnection } from './redis-connection';
import { SocketRateLimiter } from './socket-rate-limiter';

const CLIENT_EVENTS: ReadonlySet<string> = new Set(Object.values(ClientEvent));

/** How long a slot in Redis outlives its node's last renewal: a dead node's slots free up after this. */
export const SOCKET_LEASE_MS = 30_000;
/** Three renewals per lease: two can be missed (a slow event loop, a Redis blip) before a live slot lapses. */
const RENEW_EVERY_MS = SOCKET_LEASE_MS / 3;

// Redis's clock, not the nodes': leases from nodes whose clocks differ still compare fairly.
const NOW_MS = `local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)`;

/** KEYS[1] the user's leases; ARGV: limit, lease ms, socket id. 1 when admitted. */
const ADMIT = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** KEYS[1] the user's leases; ARGV: lease ms, then this node's live socket ids (re-added if they lapsed). */
const RENEW = `${NOW_MS}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0`;

/**
 * The largest message a client may send, on either transport (Socket.IO's `maxHttpBufferSize`,
 * the plain WebSocket's `maxPayload`): clients only send small commands; a bigger message closes
 * the connection before it is parsed.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/** What holds a slot: a Socket.IO socket or a plain WebSocket connection. */
export type SlotHolder = Pick<Socket, 'id' | 'connected'>;

/** The user's slots in Redis: a sorted set of socket ids, each scored by its lease's expiry (ms). */
export function socketLeasesKey(keyPrefix: string, userId: string): string {
  return `${keyPrefix}sockets:${userId}`;
}

/**
 * What one user may cost through sockets: at most `maxSocketsPerUser` open sockets (tabs and
 * devices; Socket.IO and plain WebSocket connections alike), and per socket an event budget
 * (that one stays per socket: it protects the node the socket is on).
 *
 * The socket count holds on this node in memory and, with Redis, across the cluster: per user a
 * sorted set of socket ids scored by lease expiry, admitted atomically by a Lua script, renewed
 * by the node holding the sockets, removed on disconnect. A node that dies without saying so
 * stops renewing, and its slots free up when their leases run out. Hand-written because
 * rate-limiter-flexible counts events in a time window, not things held open until released.
 * While Redis is unreachable, only this node's count applies (a user may then hold the limit on
 * each node); the live sockets are written back by the next renewal.
 *
 * This node's count is also the connected-users gauge: the users holding a slot here.
 */
@Injectable()
export class SocketLimits implements OnApplicationShutdown {
  private readonly logger = new Logger(SocketLimits.name);
  /** Socket ids holding a slot on this node, per user. */
  private readonly slots = new Map<string, Set<string>>();
  private renewals: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Handshake: takes one of the user's slots, or resolves false when all are taken. Call it last
   * before `next()`: a socket that has not connected by the turn after is taken to have left.
   */
  async admit(socket: SlotHolder, userId: string): Promise<boolean> {
    // Taken here in memory at once, not on `connection`, so that two handshakes of one user in
    // the same tick cannot both pass this node's check.
    const taken = this.slots.get(userId) ?? new Set<string>();
    if (taken.size >= this.config.maxSocketsPerUser) return false;
    taken.add(socket.id);
    this.slots.set(userId, taken);
    this.metrics.connectedUsers.set(this.slots.size);
    if (!(await this.admitInCluster(socket.id, userId))) {
      this.releaseHere(socket.id, userId);
      return false;
    }
    // A socket admitted but never connected (its client left mid-handshake) gets no disconnect
    // event: give its slot back once Socket.IO has had its turn to connect it (in a nextTick).
    setImmediate(() => {
      if (!socket.connected) this.release(socket, userId);
    });
    return true;
  }

  /** The socket is gone; releasing twice is harmless. */
  release(socket: Pick<SlotHolder, 'id'>, userId: string): void {
    if (!this.releaseHere(socket.id, userId)) return;
    const client = this.redis.commandClient;
    if (client) client.zRem(this.leasesKey(userId), socket.id).catch((error: Error) => this.redisFailed('release', error));
  }

  /** Extends the leases of this node's sockets; runs every RENEW_EVERY_MS while Redis is configured. */
  async renewLeases(): Promise<void> {
    const client = this.redis.commandClient;
    if (!client) return;
    await Promise.all(
      [...this.slots].map(([userId, socketIds]) =>
        client
          .eval(RENEW, { keys: [this.leasesKey(userId)], arguments: [String(SOCKET_LEASE_MS), ...socketIds] })
          .catch((error: Error) => this.redisFailed('renew', error)),
      ),
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.renewals);
  }

  /**
   * Socket middleware for client events: over its budget an event is answered `rate-limited`,
   * an event the server does not know `invalid-payload`; a socket that keeps flooding is told
   * why (`session:end`) and disconnected. Every refused event with an acknowledgement gets one.
   */
  guardEvents(socket: Socket): (packet: Event, next: (error?: Error) => void) => void {
    const limiter = new SocketRateLimiter(this.config.socketEventBurst, this.config.socketEventsPerSecond);
    return (packet, next) => {
      const verdict = limiter.take();
      if (verdict === 'disconnect') {
        socket.emit(ServerEvent.SessionEnd, { reason: SocketError.RateLimited });
        socket.disconnect(true);
        return;
      }
      const error = verdict === 'refuse' ? SocketError.RateLimited : CLIENT_EVENTS.has(packet[0]) ? null : SocketError.InvalidPayload;
      if (!error) return next();
      const ack: unknown = packet[packet.length - 1];
      if (typeof ack === 'function') ack({ ok: false, error });
    };
  }

  /** True when the cluster has a slot, or when there is no cluster count to ask right now. */
  private async admitInCluster(socketId: string, userId: string): Promise<boolean> {
    const client = this.redis.commandClient;
    if (!client) return true;
    this.renewals ??= setInterval(() => void this.renewLeases(), RENEW_EVERY_MS).unref();
    const stalled = new AbortController();
    try {
      const admitted = await Promise.race([
        client.eval(ADMIT, {
          keys: [this.leasesKey(userId)],
          arguments: [String(this.config.maxSocketsPerUser), String(SOCKET_LEASE_MS), socketId],
        }),
        delay(COUNTER_TIMEOUT_MS, 'stalled', { signal: stalled.signal }),
      ]);
      if (admitted === 'stalled') throw new Error(`no answer within ${COUNTER_TIMEOUT_MS} ms`);
      return admitted === 1;
    } catch (error) {
      this.redisFailed('admit', error as Error);
      return true;
    } finally {
      stalled.abort();
    }
  }

  /** False when this node held no slot for the socket. */
  private releaseHere(socketId: string, userId: string): boolean {
    const taken = this.slots.get(userId);
    if (!taken?.delete(socketId)) return false;
    if (taken.size === 0) this.slots.delete(userId);
    this.metrics.connectedUsers.set(this.slots.size);
    return true;
  }

  private leasesKey(userId: string): string {
    return socketLeasesKey(this.redis.keyPrefix, userId);
  }

  // While Redis is unreachable its connection has already said so, once; anything else is news.
  private redisFailed(operation: string, error: Error): void {
    if (this.redis.connected) this.logger.warn(`socket slot ${operation} failed in Redis: ${error.message}`);
  }
}
