import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { PrismaService } from '../database/prisma.service';

/** PostgreSQL channels the triggers of the `sessions` migration notify on commit. */
const SESSION_CHANGED = 'session_changed';
const USER_CHANGED = 'user_changed';
/**
 * How often this node proves its feed works: it notifies a channel of its own through the pool
 * and must hear it back within HEARTBEAT_TIMEOUT_MS. A listening connection can die without
 * closing (a half-open TCP connection, a pooler that swallows notices); a beat not heard back
 * counts as a loss. The timeout leaves room for a pool busy with a reconnect storm.
 */
const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

export interface SessionChangeEvents {
  /** A session ended or was deleted: its tokens and sockets must go. */
  'session-ended': [sessionId: string];
  /** A user's role or activation changed: re-check that user's sessions. */
  'user-changed': [userId: string];
  /** Changes may have been missed (the feed was down): re-check everything held. */
  resync: [];
}

/**
 * Tells this node when a session ends or a user's role or activation changes, on any node or
 * outside the app: the database's triggers NOTIFY on commit and every node LISTENs on a
 * connection of its own. Chosen over Redis pub/sub because the notice is part of the
 * transaction (none for a change rolled back, none lost between commit and publish), it covers
 * changes no node made (deleting a user in SQL), and nodes need no Redis for it.
 *
 * The embedded database serves one connection, which the pool holds, and PGlite does not pass
 * its notices across connections: there the app's own announcements are the only feed, so
 * nothing learnt about a session is kept (`live` stays false) and every check asks the database.
 */
@Injectable()
export class SessionChanges extends EventEmitter<SessionChangeEvents> implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionChanges.name);
  private client: Client | null = null;
  private closing = false;
  private retries = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** When the unanswered beat was sent, or null when the last one came back. */
  private beatSentAt: number | null = null;
  private readonly heartbeatChannel = `session_feed_${randomBytes(8).toString('hex')}`;
  /** Whether every change reaches this node now, so what it learnt about a session can be kept. */
  private listening = false;

  constructor(private readonly prisma: PrismaService) {
    super();
  }

  get live(): boolean {
    return this.listening;
  }

  async onModuleInit(): Promise<void> {
    if (!this.prisma.isEmbedded) await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeatTimer);
    await this.client?.end().catch(() => undefined);
  }

  /** What this node changed itself, dispatched at once (the database's notice follows, harmlessly). */
  announceSessionsEnded(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.emit('session-ended', id);
  }

  announceUserChanged(userId: string): void {
    this.emit('user-changed', userId);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.prisma.connectionString, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    this.client = client;
    client.on('notification', ({ channel, payload }) => {
      if (channel === this.heartbeatChannel) this.beatSentAt = null;
      else if (!payload) return;
      else if (channel === SESSION_CHANGED) this.emit('session-ended', payload);
      else if (channel === USER_CHANGED) this.emit('user-changed', payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${SESSION_CHANGED}; LISTEN ${USER_CHANGED}; LISTEN ${this.heartbeatChannel}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    const recovered = this.retries > 0;
    this.retries = 0;
    this.listening = true;
    this.beatSentAt = null;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.beat(client), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    // Whatever ended while nobody listened was not heard: check everything held again.
    if (recovered) {
      this.logger.log('listening for session changes again');
      this.emit('resync');
    }
  }

  private beat(client: Client): void {
    if (this.beatSentAt !== null) {
      if (Date.now() - this.beatSentAt > HEARTBEAT_TIMEOUT_MS) this.lost(client, new Error(`no notice came back within ${HEARTBEAT_TIMEOUT_MS} ms`));
      return;
    }
    this.beatSentAt = Date.now();
    // Through the pool, not the listening connection: the notice must cross the server.
    this.prisma.pool.query('SELECT pg_notify($1, $2)', [this.heartbeatChannel, '']).catch(() => undefined);
  }

  private lost(client: Client, error: Error): void {
    if (client !== this.client || this.closing) return;
    this.client = null;
    this.listening = false;
    clearInterval(this.heartbeatTimer);
    void client.end().catch(() => undefined);
    if (this.retries === 0) this.logger.warn(`session change feed lost (${error.message}); checking every session in the database until it is back`);
    this.retryTimer = setTimeout(() => void this.listen(), Math.min(100 * 2 ** this.retries++, 5000));
    this.retryTimer.unref();
  }
}
