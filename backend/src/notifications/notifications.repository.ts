import { Injectable } from '@nestjs/common';
import type { NotificationPreferenceDto, NotificationTarget, NotificationType } from '@clinic/contracts';
import { types as pgTypes } from 'pg';
import type { AuditRow } from '../audit/audit-record';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Notification } from '../generated/prisma/client';
import type { NotificationContent } from './notification-templates';

/**
 * The advisory lock notification inserts hold until they commit, in shared mode alongside
 * per-recipient locks or exclusively for a write to many users (the SQL function
 * create_notifications, prisma/migrations/*_create_notifications_function, takes them).
 * The key is arbitrary; it only has to differ from other advisory locks (Prisma Migrate's is 72707369).
 */
export const NOTIFICATION_INSERT_LOCK = 4721902118n;

/** A notification as inserted, with the seq of the recipient's previous one at that moment (0 for none). */
export type CreatedNotification = Notification & { prevSeq: bigint; unreadCount: number; typeMuted: boolean };

export interface PageQuery {
  /** Only notifications older than this seq. */
  before?: bigint;
  unreadOnly: boolean;
  take: number;
}

/** One client's catch-up question: everything of the user's after this seq. */
export interface ReplayKey {
  userId: string;
  afterSeq: bigint;
}

/** What the database holds for one ReplayKey. */
export interface ReplayRows {
  unreadCount: number;
  /** Oldest first, at most the limit asked for; each with whether its recipient muted its type. */
  missed: Array<Notification & { typeMuted: boolean }>;
}

/**
 * Locks the recipients and inserts (see create_notifications). Unknown user ids are skipped: the
 * caller decides whether that is an error. createdAt is written as UTC wall time, as Prisma
 * writes it; the column default would use the session's time zone.
 */
const CREATE_NOTIFICATIONS_SQL = `
  SELECT * FROM create_notifications(
    $1::text[], $2::"NotificationType", $3, $4, $5::"NotificationPriority", $6::text, $7::text, $8::jsonb, $9::timestamp(3))`;

/**
 * The same, with the send's audit entry ($10…$15) in the same statement, so one round trip still
 * does it all and the entry commits with the notifications, or neither does (an unknown
 * recipient creates nothing, and so records nothing).
 */
const CREATE_AUDITED_NOTIFICATIONS_SQL = `
  WITH created AS (
    SELECT * FROM create_notifications(
      $1::text[], $2::"NotificationType", $3, $4, $5::"NotificationPriority", $6::text, $7::text, $8::jsonb, $9::timestamp(3))
  ), audited AS (
    INSERT INTO "AuditLog" ("actorId", "action", "targetType", "targetId", "node", "details", "at")
    SELECT $10::text, $11::text, $12::text, $13::text, $14::text, $15::jsonb, $9::timestamp(3)
    WHERE EXISTS (SELECT 1 FROM created)
  )
  SELECT * FROM created`;

/**
 * For each (user, cursor) pair: its position in the arrays, the user's unread count, then at most
 * `$3` of what that user missed after the cursor, each with whether the user muted its type. A
 * pair's count row comes back alone when nothing was missed.
 */
const REPLAY_SQL = `
  SELECT r.i::int AS "requestIndex", r."unreadCount", n.*,
         EXISTS (
           SELECT 1 FROM "NotificationPreference" p WHERE p."userId" = n."userId" AND p."type" = n."type" AND p."muted") AS "typeMuted"
  FROM (
    SELECT c.i, c.user_id, c.after_seq,
           (SELECT count(*)::int FROM "Notification" WHERE "userId" = c.user_id AND "readAt" IS NULL) AS "unreadCount"
    FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS c(user_id, after_seq, i)
  ) AS r
  LEFT JOIN LATERAL (
    SELECT * FROM "Notification" WHERE "userId" = r.user_id AND "seq" > r.after_seq ORDER BY "seq" LIMIT $3
  ) AS n ON true
  ORDER BY r.i, n."seq"`;

type ReplayRow = Notification & { requestIndex: number; unreadCount: number; typeMuted: boolean };

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
 * Every read and write of notifications and notification preferences. The statements that run
 * most (a send to one user, replays) go to the pool Prisma uses but not through Prisma's query
 * engine, whose per-query work was a large share of the server's CPU on those paths; they are
 * named statements, which each connection parses once instead of on every call.
 */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  // ---- writing ---------------------------------------------------------------------------

  /** Inside the caller's transaction, as its last statement (see NotificationsService.createInTransaction). */
  insertInTransaction(tx: Tx, userIds: readonly string[], content: NotificationContent): Promise<CreatedNotification[]> {
    return tx.$queryRawUnsafe<CreatedNotification[]>(CREATE_NOTIFICATIONS_SQL, ...createNotificationsArguments(userIds, content));
  }

  /**
   * One recipient and the audit entry of the send, as one statement in its own transaction: the
   * send path that runs hundreds of times a second.
   */
  async insertNow(userId: string, content: NotificationContent, audit: AuditRow): Promise<CreatedNotification[]> {
    const { actorId, action, targetType, targetId, node, details } = audit;
    const { rows } = await this.prisma.pool.query<CreatedNotification>({
      name: 'create_audited_notifications',
      text: CREATE_AUDITED_NOTIFICATIONS_SQL,
      values: [...createNotificationsArguments([userId], content), actorId, action, targetType, targetId, node, JSON.stringify(details)],
      types: prismaCompatibleTypes,
    });
    return rows;
  }

  /** Marks the user's notification read if it is unread; null when it is not (or not theirs). */
  async markRead(userId: string, id: string): Promise<Notification | null> {
    const [updated] = await this.prisma.notification.updateManyAndReturn({
      where: { id, userId, readAt: null },
      data: { readAt: new Date() },
    });
    return updated ?? null;
  }

  /** How many were unread. */
  async markAllRead(userId: string): Promise<number> {
    const { count } = await this.prisma.notification.updateMany({ where: { userId, readAt: null }, data: { readAt: new Date() } });
    return count;
  }

  /** False when the user has no such notification. */
  async delete(userId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.notification.deleteMany({ where: { id, userId } });
    return count > 0;
  }

  /** Changes the listed types in one transaction; an unmuted type keeps no row. */
  async updatePreferences(userId: string, changes: readonly NotificationPreferenceDto[]): Promise<void> {
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
  }

  // ---- reading ---------------------------------------------------------------------------

  /** The user's notifications, newest (highest seq) first. */
  page(userId: string, query: PageQuery): Promise<Notification[]> {
    return this.prisma.notification.findMany({
      where: {
        userId,
        ...(query.unreadOnly ? { readAt: null } : {}),
        ...(query.before !== undefined ? { seq: { lt: query.before } } : {}),
      },
      orderBy: { seq: 'desc' },
      take: query.take,
    });
  }

  find(userId: string, id: string): Promise<Notification | null> {
    return this.prisma.notification.findFirst({ where: { id, userId } });
  }

  unreadCount(userId: string): Promise<number> {
    return this.prisma.notification.count({ where: { userId, readAt: null } });
  }

  async mutedTypes(userId: string): Promise<Set<NotificationType>> {
    const muted = await this.prisma.notificationPreference.findMany({ where: { userId, muted: true }, select: { type: true } });
    return new Set(muted.map((preference) => preference.type));
  }

  /** Everyone with the role, or everyone, who is active (a deactivated account receives nothing). */
  async activeUserIds(tx: Tx, target: Extract<NotificationTarget, { role: unknown } | { all: true }>): Promise<string[]> {
    const users = await tx.user.findMany({
      where: { deactivatedAt: null, ...('role' in target ? { role: target.role } : {}) },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return users.map((user) => user.id);
  }

  /** The team's active members, or null when there is no such team. */
  async activeMemberIds(tx: Tx, teamId: string): Promise<string[] | null> {
    const team = await tx.team.findUnique({
      where: { id: teamId },
      select: { members: { where: { user: { deactivatedAt: null } }, select: { userId: true }, orderBy: { userId: 'asc' } } },
    });
    return team ? team.members.map((member) => member.userId) : null;
  }

  /** For each key, in one statement: the user's unread count and at most `limit` missed notifications. */
  async replay(keys: readonly ReplayKey[], limit: number): Promise<ReplayRows[]> {
    const { rows } = await this.prisma.pool.query<ReplayRow>({
      name: 'replay_notifications',
      text: REPLAY_SQL,
      values: [keys.map((key) => key.userId), keys.map((key) => key.afterSeq.toString()), limit],
      types: prismaCompatibleTypes,
    });
    const answers = keys.map((): ReplayRows => ({ unreadCount: 0, missed: [] }));
    for (const { requestIndex, unreadCount, ...row } of rows) {
      const answer = answers[requestIndex - 1];
      answer.unreadCount = unreadCount;
      // The LEFT JOIN's row for a key that missed nothing.
      if (row.id !== null) answer.missed.push(row);
    }
    return answers;
  }
}

function createNotificationsArguments(userIds: readonly string[], content: NotificationContent): unknown[] {
  const { type, title, message, priority, actionUrl, actionText, metadata } = content;
  return [userIds, type, title, message, priority, actionUrl, actionText, JSON.stringify(metadata), new Date().toISOString()];
}
