import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient, RedisClientType } from 'redis';
import type { RedisHealth } from '../health/redis-health';

export type RedisState = 'up' | 'down' | 'disabled';

/**
 * Called when the connection is back after a loss. `publishLost` is true when an event sent
 * while it was still up failed (it dropped mid-command), so nobody knows who missed it.
 */
export type ReconnectListener = (publishLost: boolean) => void;

type AdapterFactory = ReturnType<typeof createAdapter>;
type LooseClient = Record<string, (...args: unknown[]) => Promise<unknown>>;

const PING_TIMEOUT_MS = 1000;
// The Socket.IO stream's length (XADD MAXLEN ~) and entries per XREAD: see socketIoAdapter.
const STREAM_ENTRIES_KEPT = 100_000;
const STREAM_ENTRIES_PER_READ = 1_000;

/**
 * How long a request waits for a counter (rate limit, socket slot) in Redis before it goes on as
 * if Redis were down: far longer than any healthy answer, far shorter than a stall a user notices.
 */
export const COUNTER_TIMEOUT_MS = 500;

/**
 * The node's Redis connection (when REDIS_URL is set): it carries Socket.IO events between
 * nodes. Redis being down never fails a request: emits then reach this node's sockets only.
 */
export class RedisConnection implements RedisHealth {
  private readonly logger = new Logger('Redis');
  /** The adapter's reader and subscriber connections, closed with this one. */
  private readonly adapterClients = new Set<RedisClientType>();
  /** null until the first connection: the first failure and every later loss are logged once. */
  private reachable: boolean | null = null;
  private readonly reconnectListeners: ReconnectListener[] = [];
  private publishLost = false;

  private constructor(
    private readonly client: RedisClientType | null,
    /** Prefix of every key and channel, so deployments sharing one Redis stay apart. */
    readonly keyPrefix: string,
  ) {}

  static disabled(): RedisConnection {
    return new RedisConnection(null, '');
  }

  /**
   * Connects, waiting for the first attempt only: when Redis is unreachable the node still
   * starts (REST and its own sockets work; readiness reports Redis down) and keeps retrying in
   * the background, rather than a Redis outage also keeping every restarted node down.
   */
  static async connect(url: string, keyPrefix: string): Promise<RedisConnection> {
    const client: RedisClientType = createClient({
      url,
      // Fail commands at once while disconnected instead of queueing them: an emit then still
      // reaches this node's sockets immediately, and memory does not grow during an outage.
      disableOfflineQueue: true,
      // CLIENT LIST shows which deployment a connection (and the adapter's duplicates) belongs to.
      name: connectionName(keyPrefix),
      socket: { connectTimeout: 5000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000) },
    });
    const connection = new RedisConnection(client, keyPrefix);
    const firstAttempt = new Promise<void>((resolve) => {
      client.once('ready', resolve);
      client.once('error', () => resolve());
    });
    client.on('ready', () => connection.onReady());
    client.on('error', (error: Error) => connection.onError(error));
    connection.logger.log(`connecting to ${redactUrl(url)}`);
    // Never rejects: the reconnect strategy retries forever.
    client.connect().catch((error: Error) => connection.logger.error(`gave up connecting: ${error.message}`));
    await firstAttempt;
    return connection;
  }

  get enabled(): boolean {
    return this.client !== null;
  }

  /**
   * The connection itself, for the cluster-wide counters (rate limits, socket leases); null
   * without Redis. Its commands fail at once while Redis is unreachable, never queue; callers
   * bound a stalled answer by COUNTER_TIMEOUT_MS. Their keys must start with `keyPrefix`.
   */
  get commandClient(): RedisClientType | null {
    return this.client;
  }

  /** Whether an emit now also reaches the other nodes (false while Redis is unreachable). */
  get connected(): boolean {
    return this.client?.isReady ?? false;
  }

  onReconnect(listener: ReconnectListener): void {
    this.reconnectListeners.push(listener);
  }

  async isUp(): Promise<boolean> {
    return (await this.state()) === 'up';
  }

  async state(): Promise<RedisState> {
    if (!this.client) return 'disabled';
    if (!this.client.isReady) return 'down';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('PING timed out')), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.client.ping(), timeout]);
      return 'up';
    } catch {
      return 'down';
    } finally {
      clearTimeout(timer);
    }
  }

  /** The Socket.IO Redis Streams adapter over this connection (streams keep events for recovery). */
  socketIoAdapter(): AdapterFactory {
    if (!this.client) throw new Error('Redis is not configured');
    return createAdapter(this.adapterClient(this.client), {
      streamName: `${this.keyPrefix}socket.io`,
      channelPrefix: `${this.keyPrefix}socket.io`,
      sessionKeyPrefix: `${this.keyPrefix}sio:session:`,
      // Our payloads are JSON: skip the adapter's per-message search for binary data.
      onlyPlaintext: true,
      // Each node reads the stream from where it left off; an entry trimmed before a node read it
      // is a delivery that node never makes (no error: the live copy is gone until the user's
      // next catch-up). A send writes two entries per recipient (the notification, the count),
      // so the adapter's default of 10,000 entries is overrun by a send to everyone in a clinic
      // of 5,000 users while a node is busy with it; STREAM_ENTRIES_KEPT holds a send to
      // 50,000. Reading more per call lets a node that fell behind catch up in fewer round trips.
      maxLen: STREAM_ENTRIES_KEPT,
      readCount: STREAM_ENTRIES_PER_READ,
    });
  }

  /** Call after the Socket.IO server closed (it stops the adapter's read loop first). */
  async close(): Promise<void> {
    for (const client of this.adapterClients) if (client.isOpen) client.destroy();
    this.adapterClients.clear();
    if (this.client?.isOpen) await this.client.close();
  }

  /**
   * What @socket.io/redis-streams-adapter 0.3.1 (written for node-redis v4) calls on its client,
   * forwarded to node-redis v5 with three differences:
   * - the commands it fires and forgets (SET of a recovery session, PUBLISH, its subscriber's
   *   SUBSCRIBE) get a catch, so a Redis outage cannot surface as an unhandled rejection;
   * - its reader and subscriber connections keep an offline queue: without one its XREAD loop
   *   would spin on instant failures while Redis is down;
   * - those connections are tracked so `close()` ends them at once, not after their 5 s
   *   blocking read, and the adapter's own second disconnect is harmless.
   */
  private adapterClient(client: RedisClientType): object {
    const forward = client as unknown as LooseClient;
    const contained =
      (command: string, target: LooseClient = forward) =>
      (...args: unknown[]) =>
        target[command](...args).catch((error: Error) => this.logger.warn(`${command} failed: ${error.message}`));
    return {
      // The adapter takes a client with sSubscribe for node-redis (rather than ioredis).
      sSubscribe: () => Promise.reject(new Error('the publishing client does not subscribe')),
      duplicate: () => {
        const duplicate = client.duplicate({ disableOfflineQueue: false }) as RedisClientType;
        duplicate.disconnect = async () => {
          if (duplicate.isOpen) duplicate.destroy();
        };
        const subscriber = duplicate as unknown as LooseClient;
        const original = { subscribe: subscriber.subscribe.bind(duplicate), sSubscribe: subscriber.sSubscribe.bind(duplicate) };
        subscriber.subscribe = contained('subscribe', original);
        subscriber.sSubscribe = contained('sSubscribe', original);
        this.adapterClients.add(duplicate);
        return duplicate;
      },
      xAdd: (...args: unknown[]) => {
        const sentWhileUp = client.isReady;
        return forward.xAdd(...args).catch((error: Error) => {
          if (sentWhileUp) this.publishLost = true;
          throw error;
        });
      },
      xRange: (...args: unknown[]) => forward.xRange(...args),
      multi: () => client.multi(),
      sendCommand: (...args: unknown[]) => forward.sendCommand(...args),
      set: contained('set'),
      publish: contained('publish'),
      sPublish: contained('sPublish'),
    };
  }

  private onReady(): void {
    const recovered = this.reachable === false;
    this.reachable = true;
    this.logger.log('connected');
    if (!recovered) return;
    const publishLost = this.publishLost;
    this.publishLost = false;
    for (const listener of this.reconnectListeners) listener(publishLost);
  }

  // node-redis reports every failed reconnection attempt: log the transition, not each attempt.
  private onError(error: Error): void {
    if (this.reachable === false) return;
    if (this.reachable === null) this.logger.warn(`cannot connect yet (${error.message}); retrying`);
    else this.logger.error(`connection lost (${error.message}); events reach this node's sockets only until it is back`);
    this.reachable = false;
  }
}

/** The name the node's Redis connections give themselves: the key prefix, without what CLIENT SETNAME refuses. */
export function connectionName(keyPrefix: string): string {
  return keyPrefix.replace(/[^\x21-\x7e]/g, '_') || 'clinic';
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}
