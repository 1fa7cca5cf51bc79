import { BadRequestException, HttpStatus, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import {
  NOTIFICATION_TYPES,
  NewNotificationPayload,
  NotificationDto,
  NotificationPageDto,
  NotificationPreferenceDto,
  NotificationTarget,
  NotificationType,
  SendNotificationRequest,
  SendNotificationResult,
} from '@clinic/contracts';
import { Pool, types as pgTypes } from 'pg';
import { IdempotencyService, IdempotentResult } from '../common/idempotency.service';
import { AfterCommit, Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Notification } from '../generated/prisma/client';
import { MetricsService } from '../metrics/metrics.service';
import { toNewNotificationPayload, toNotificationDto } from './notification.mapper';
import { NotificationPublisher } from './notification-publisher';
import { NotificationContent, renderMessage } from './notification-templates';

/** Notifications replayed to a reconnecting client at most; beyond that it is told to refetch. */
export const REPLAY_PAGE_SIZE = 100;
export const SEND_ROUTE = 'POST /api/notifications/test';
/**
 * The advisory lock notification inserts hold until they commit, in shared mode alongside
 * per-recipient locks or exclusively for a write to many users (the SQL function
 * create_notifications, prisma/migrations/*_create_notifications_function, takes them).
 * The key is arbitrary; it only has to differ from other advisory locks (Prisma Migrate's is 72707369).
 */
export const NOTIFICATION_INSERT_LOCK = 4721902118n;

export interface ListOptions {
  /** Only notifications older than this seq (the previous page's `nextCursor`). */
  before?: bigint;
  limit: number;
  unreadOnly: boolean;
}

export interface Replay {
  notifications: NewNotificationPayload[];
  /** More were missed than one page: the client should refetch instead. */
  refresh: boolean;
  /** Every notification of the user's up to this seq is in `notifications` or at most `afterSeq`. */
  upToSeq: bigint;
  unreadCount: number;
}

/** A notification as inserted, with the seq of the recipient's previous one at that moment (0 for none). */
type CreatedNotification = Notification & { prevSeq: bigint; unreadCount: number; typeMuted: boolean };

/**
 * Persistence and counts of notifications; every change is pushed to the user's devices through
 * the publisher after it is committed. Counts always come from the database.
 *
 * Preferences: a muted type is still stored, listed, counted in the unread badge and pushed as
 * `notification:new` to every device (so every device shows the same list), with `muted: true`
 * so the client shows no toast or desktop notification. `CRITICAL` notifications are never muted.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly replays: ReplayBatches;

  constructor(
    private readonly prisma: PrismaService,
    private readonly idempotency: IdempotencyService,
    private readonly publisher: NotificationPublisher,
    private readonly metrics: MetricsService,
  ) {
    this.replays = new ReplayBatches(prisma.pool);
  }

  // ---- creating --------------------------------------------------------------------------

  /**
   * Stores one notification per recipient as the last statement of the caller's transaction and
   * pushes them once it has committed. Returns how many were created.
   *
   * Each user's `seq` must grow in commit order, or catch-up could skip a notification: sequence
   * values are handed out at insert time, so two concurrent transactions may take seq 10 and 11
   * for one user and commit 11 first; a client that already saw 11 then asks for "seq > 11" and
   * never gets 10. So a transaction locks its recipients (transaction-scoped advisory locks) right
   * before its insert and keeps them until it commits. Catch-up is per user, so only writes to
   * the same user need to wait for each other: writes to different users commit in parallel,
   * which lets PostgreSQL flush their commits together instead of one WAL flush after another.
   * A write to many users takes one exclusive lock instead. Because the insert is the last
   * statement, the locks are held only for the insert and the commit. The locking and the insert
   * are one SQL function, create_notifications: one round trip (see its migration).
   *
   * One INSERT … SELECT over an array of recipients, whatever their number: for a broadcast to
   * 10,000 users it takes about 0.5 s on PostgreSQL, where `createManyAndReturn` needs 2.5-3 s
   * (it sends every value of every row as a bind parameter, in several statements) — time spent
   * holding the locks above.
   *
   * The same statement reads each recipient's previous seq (one index probe per recipient; the
   * statement does not see its own rows) for `prevSeq`: under the lock nothing can slip in
   * between, so a client holding that previous seq knows it misses nothing up to the new one.
   */
  async createInTransaction(tx: Tx, afterCommit: AfterCommit, recipientIds: readonly string[], content: NotificationContent): Promise<number> {
    const userIds = [...new Set(recipientIds)];
    if (userIds.length === 0) return 0;
    const created = await insertNotifications(tx, userIds, content);
    afterCommit(() => this.published(created));
    return created.length;
  }

  /** An admin's notification to one user, a role or everyone; safe to retry with an Idempotency-Key. */
  async send(senderId: string, request: SendNotificationRequest, idempotencyKey: string | null): Promise<IdempotentResult<SendNotificationResult>> {
    const { target } = request;
    if (idempotencyKey === null && 'userId' in target) {
      // The hot path: one statement, atomic on its own, so no interactive transaction.
      const created = await insertNotificationsNow(this.prisma.pool, target.userId, renderMessage({ ...request, type: request.type ?? 'GENERAL' }));
      if (created.length === 0) throw unknownTargetUser();
      this.published(created);
      return { statusCode: HttpStatus.CREATED, body: { created: 1 }, replayed: false };
    }
    return this.idempotency.execute<SendNotificationResult>(
      { userId: senderId, route: SEND_ROUTE, key: idempotencyKey, body: request },
      HttpStatus.CREATED,
      async (tx, afterCommit, remember) => {
        // One user: no lookup of its own; the insert skips an unknown id and the check below
        // rolls the transaction back.
        const recipients = 'userId' in target ? [target.userId] : await this.recipients(tx, target);
        const result = { created: recipients.length };
        await remember(result);
        const created = await this.createInTransaction(tx, afterCommit, recipients, renderMessage({ ...request, type: request.type ?? 'GENERAL' }));
        if (created < recipients.length) throw unknownTargetUser();
        return result;
      },
    );
  }

  // ---- reading ---------------------------------------------------------------------------

  /** The user's notifications, newest (highest seq) first. */
  async list(userId: string, options: ListOptions): Promise<NotificationPageDto> {
    const rows = await this.prisma.notification.findMany({
      where: {
        userId,
        ...(options.unreadOnly ? { readAt: null } : {}),
        ...(options.before !== undefined ? { seq: { lt: options.before } } : {}),
      },
      orderBy: { seq: 'desc' },
      take: options.limit + 1,
    });
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toNotificationDto),
      nextCursor: rows.length > options.limit ? page[page.length - 1].seq.toString() : null,
    };
  }

  unreadCount(userId: string): Promise<number> {
    return this.prisma.notification.count({ where: { userId, readAt: null } });
  }

  /**
   * What a client that has everything up to `afterSeq` missed, oldest first. Each one's `prevSeq`
   * is the one before it in this answer (the first's is `afterSeq`): once one of a user's seqs is
   * visible, every smaller one of theirs is (see createInTransaction), so what this query did not
   * find between them was deleted or never existed, and the client's cursor moves over deletions too.
   *
   * Every reconnecting client asks this (10,000 at once after a restart), so the replays asked
   * within one turn of the event loop share one query (see ReplayBatches).
   */
  replay(userId: string, afterSeq: bigint): Promise<Replay> {
    return this.replays.ask(userId, afterSeq);
  }

  // ---- changing --------------------------------------------------------------------------

  /** Marks one of the user's notifications read (once: a second call changes and pushes nothing). */
  async markRead(userId: string, id: string): Promise<NotificationDto> {
    if (!isUUID(id)) throw notFound();
    const [updated] = await this.prisma.notification.updateManyAndReturn({
      where: { id, userId, readAt: null },
      data: { readAt: new Date() },
    });
    if (updated) {
      const notification = toNotificationDto(updated);
      await this.publishSafely(async () => this.publisher.updated(userId, notification, await this.unreadCount(userId)));
      return notification;
    }
    const existing = await this.prisma.notification.findFirst({ where: { id, userId } });
    if (!existing) throw notFound();
    return toNotificationDto(existing);
  }

  async markAllRead(userId: string): Promise<number> {
    const { count } = await this.prisma.notification.updateMany({ where: { userId, readAt: null }, data: { readAt: new Date() } });
    if (count > 0) await this.publishSafely(async () => this.publisher.refreshed(userId, await this.unreadCount(userId)));
    return count;
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!isUUID(id)) throw notFound();
    const { count } = await this.prisma.notification.deleteMany({ where: { id, userId } });
    if (count === 0) throw notFound();
    await this.publishSafely(async () => this.publisher.deleted(userId, id, await this.unreadCount(userId)));
  }

  async preferences(userId: string): Promise<NotificationPreferenceDto[]> {
    const muted = await this.prisma.notificationPreference.findMany({ where: { userId, muted: true }, select: { type: true } });
    const mutedTypes = new Set(muted.map((preference) => preference.type));
    return NOTIFICATION_TYPES.map((type) => ({ type, muted: mutedTypes.has(type) }));
  }

  /** Changes the listed types; the others keep their setting. */
  async updatePreferences(userId: string, changes: NotificationPreferenceDto[]): Promise<NotificationPreferenceDto[]> {
    await this.prisma.$transaction(
      changes.map(({ type, muted }) =>
        muted
          ? this.prisma.notificationPreference.upsert({
              where: { userId_type: { userId, type } },
              create: { userId, type, muted },
              update: { muted },
            })
          : this.prisma.notificationPreference.deleteMany({ where: { userId, type } }),
      ),
    );
    return this.preferences(userId);
  }

  // ---- internals -------------------------------------------------------------------------

  private async recipients(tx: Tx, target: Exclude<NotificationTarget, { userId: string }>): Promise<string[]> {
    // A deactivated account receives nothing: nobody would read it.
    const users = await tx.user.findMany({
      where: { deactivatedAt: null, ...('role' in target ? { role: target.role } : {}) },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return users.map((user) => user.id);
  }

  /** Counts and pushes committed notifications. Recipients are distinct: one row per user. */
  private published(created: CreatedNotification[]): void {
    if (created.length) this.metrics.notificationsCreated.inc({ type: created[0].type }, created.length);
    for (const { prevSeq, unreadCount, typeMuted, ...notification } of created) {
      const muted = typeMuted && notification.priority !== 'CRITICAL';
      this.publisher.created(notification.userId, [toNewNotificationPayload(notification, muted, prevSeq)], unreadCount);
    }
  }

  /** The change is committed: failing to tell the devices must not fail the request. */
  private async publishSafely(publish: () => Promise<void>): Promise<void> {
    try {
      await publish();
    } catch (error) {
      this.logger.error(`could not publish a change: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function unknownTargetUser(): BadRequestException {
  return new BadRequestException('target.userId does not name an existing user');
}

/**
 * Someone else's notification is indistinguishable from one that does not exist; so is an id that
 * cannot be one (checked before the query: PostgreSQL refuses some strings, such as one with NUL).
 */
function notFound(): NotFoundException {
  return new NotFoundException('Notification not found');
}

/**
 * Locks the recipients and inserts (see create_notifications). Unknown user ids are skipped: the
 * caller decides whether that is an error. createdAt is written as UTC wall time, as Prisma
 * writes it; the column default would use the session's time zone.
 */
const CREATE_NOTIFICATIONS_SQL = `
  SELECT * FROM create_notifications(
    $1::text[], $2::"NotificationType", $3, $4, $5::"NotificationPriority", $6::text, $7::text, $8::jsonb, $9::timestamp(3))`;

function createNotificationsArguments(userIds: readonly string[], content: NotificationContent): unknown[] {
  const { type, title, message, priority, actionUrl, actionText, metadata } = content;
  return [userIds, type, title, message, priority, actionUrl, actionText, JSON.stringify(metadata), new Date().toISOString()];
}

/** Inside the caller's transaction. */
function insertNotifications(tx: Tx, userIds: readonly string[], content: NotificationContent): Promise<CreatedNotification[]> {
  return tx.$queryRawUnsafe<CreatedNotification[]>(CREATE_NOTIFICATIONS_SQL, ...createNotificationsArguments(userIds, content));
}

// Columns of Notification rows (create_notifications' result, replays) that pg would not parse
// as Prisma does: BIGINT (a string by default) and TIMESTAMP (local time by default; stored as
// UTC wall time).
const PG_INT8 = 20;
const PG_TIMESTAMP = 1114;
const prismaCompatibleTypes = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === PG_INT8) return (value: string) => BigInt(value);
    if (oid === PG_TIMESTAMP) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    return pgTypes.getTypeParser(oid, format as 'text');
  }) as typeof pgTypes.getTypeParser,
};

/**
 * One recipient, as its own transaction: the send path that runs hundreds of times a second.
 * It goes to the pool Prisma uses, but not through Prisma's query engine (its per-query work was
 * about a tenth of the server's CPU per send), as a named statement that each connection parses
 * once instead of on every call.
 */
async function insertNotificationsNow(pool: Pool, userId: string, content: NotificationContent): Promise<CreatedNotification[]> {
  const { rows } = await pool.query<CreatedNotification>({
    name: 'create_notifications',
    text: CREATE_NOTIFICATIONS_SQL,
    values: createNotificationsArguments([userId], content),
    types: prismaCompatibleTypes,
  });
  return rows;
}

interface ReplayRequest {
  userId: string;
  afterSeq: bigint;
  resolve: (replay: Replay) => void;
  reject: (error: unknown) => void;
}

/** Replays one query answers at most: its arrays and result stay a few MB. */
const REPLAY_BATCH_MAX = 500;

/**
 * For each (user, cursor) pair: its position in the arrays, the user's unread count, then at most
 * a page and one of what that user missed after the cursor, each with its mute flag. A pair's
 * count row comes back alone when nothing was missed.
 */
const REPLAY_SQL = `
  SELECT r.i::int AS "requestIndex", r."unreadCount", n.*,
         n."priority" <> 'CRITICAL' AND EXISTS (
           SELECT 1 FROM "NotificationPreference" p WHERE p."userId" = n."userId" AND p."type" = n."type" AND p."muted") AS "muted"
  FROM (
    SELECT c.i, c.user_id, c.after_seq,
           (SELECT count(*)::int FROM "Notification" WHERE "userId" = c.user_id AND "readAt" IS NULL) AS "unreadCount"
    FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS c(user_id, after_seq, i)
  ) AS r
  LEFT JOIN LATERAL (
    SELECT * FROM "Notification" WHERE "userId" = r.user_id AND "seq" > r.after_seq ORDER BY "seq" LIMIT $3
  ) AS n ON true
  ORDER BY r.i, n."seq"`;

type ReplayRow = Notification & { requestIndex: number; unreadCount: number; muted: boolean | null };

/**
 * Collects the replays asked within one turn of the event loop and answers them with one query
 * (in slices of REPLAY_BATCH_MAX). After a restart the node accepts thousands of sockets a
 * second, each asking for its replay: a query each, through Prisma, took about a fifth of the
 * node's CPU while clients caught up (storm 16-21 s; 9.6-14.4 s batched). A lone client waits
 * for nothing: its batch leaves in the same turn.
 */
class ReplayBatches {
  private waiting: ReplayRequest[] = [];

  constructor(private readonly pool: Pool) {}

  ask(userId: string, afterSeq: bigint): Promise<Replay> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => this.flush());
      this.waiting.push({ userId, afterSeq, resolve, reject });
    });
  }

  private flush(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (let start = 0; start < waiting.length; start += REPLAY_BATCH_MAX) {
      void this.answer(waiting.slice(start, start + REPLAY_BATCH_MAX));
    }
  }

  private async answer(batch: ReplayRequest[]): Promise<void> {
    try {
      const { rows } = await this.pool.query<ReplayRow>({
        name: 'replay_notifications',
        text: REPLAY_SQL,
        values: [batch.map((request) => request.userId), batch.map((request) => request.afterSeq.toString()), REPLAY_PAGE_SIZE + 1],
        types: prismaCompatibleTypes,
      });
      const rowsByRequest = batch.map((): ReplayRow[] => []);
      for (const row of rows) rowsByRequest[row.requestIndex - 1].push(row);
      batch.forEach((request, index) => request.resolve(toReplay(rowsByRequest[index], request.afterSeq)));
    } catch (error) {
      // Each asker handles it (a connecting socket is closed so its client retries); an asker
      // already answered keeps its answer.
      for (const request of batch) request.reject(error);
    }
  }
}

/** One client's rows (its count row alone, or its missed notifications in seq order). */
function toReplay(rows: ReplayRow[], afterSeq: bigint): Replay {
  const unreadCount = rows[0].unreadCount;
  const missed = rows.filter((row) => row.id !== null);
  if (missed.length > REPLAY_PAGE_SIZE) return { notifications: [], refresh: true, upToSeq: afterSeq, unreadCount };
  let prevSeq = afterSeq;
  const notifications = missed.map(({ requestIndex: _index, unreadCount: _count, muted, ...row }) => {
    const payload = toNewNotificationPayload(row, muted === true, prevSeq);
    prevSeq = row.seq;
    return payload;
  });
  return { notifications, refresh: false, upToSeq: prevSeq, unreadCount };
}
