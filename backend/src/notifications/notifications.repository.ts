import { Injectable } from '@nestjs/common';
import { DEFAULT_LANGUAGE, LANGUAGES, type NotificationFilter, type NotificationType, type SendCounts, type SendTargetDto } from '@clinic/contracts';
import { types as pgTypes } from 'pg';
import type { AuditRow } from '../audit/audit-record';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import { type Notification, Prisma } from '../generated/prisma/client';
import type { LocalizedContent } from './notification-templates';
import { MAX_SEQ } from './seq';

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
  filter: NotificationFilter;
  take: number;
}

/**
 * A Notification row's columns, named rather than `*` in the named statements: PostgreSQL
 * refuses to run a prepared statement whose result changed shape ("cached plan must not change
 * result type"), which `*` does as soon as a newer release's migration adds a column while this
 * one still runs (a rolling upgrade).
 */
const notificationColumns = (alias: string): string =>
  Object.values(Prisma.NotificationScalarFieldEnum)
    .map((column) => `${alias}."${column}"`)
    .join(', ');

/**
 * What the unread count counts: unread and in the inbox (contracts/triage.ts, countsAsUnread),
 * by the database's clock; the partial index Notification_user_unread_inbox_idx answers it.
 * create_notifications (the triage migration) counts the same way.
 */
const unreadInInbox = (alias: string): string =>
  `${alias}."readAt" IS NULL AND ${alias}."archivedAt" IS NULL AND (${alias}."snoozedUntil" IS NULL OR ${alias}."snoozedUntil" <= (now() AT TIME ZONE 'UTC'))`;

export const UNREAD_COUNT_SQL = `SELECT count(*)::int AS "count" FROM "Notification" n WHERE n."userId" = $1 AND ${unreadInInbox('n')}`;

/**
 * One page of the list, newest first: the user's notifications up to a seq ($2), narrowed by the
 * filter at the time $4 (the rule is the contract's matchesFilter; filterCondition below is the
 * same rule for Prisma, tested to answer alike). One text for every filter, each part left out
 * being NULL (or 'all'), so that each connection parses it once. PostgreSQL still plans each call
 * with its values (a generic plan, blind to the user and the LIMIT, costs more), and those of the
 * parts left out fold away: the plan is the backward walk of Notification_user_seq_idx from $2,
 * as for a statement written for that filter alone. $8 is the ILIKE pattern of `q` (see
 * escapedSearch).
 */
export const PAGE_SQL = `
  SELECT ${notificationColumns('n')} FROM "Notification" n
  WHERE n."userId" = $1 AND n."seq" <= $2
    AND CASE $3::text
          WHEN 'inbox' THEN n."archivedAt" IS NULL AND (n."snoozedUntil" IS NULL OR n."snoozedUntil" <= $4::timestamp(3))
          WHEN 'archived' THEN n."archivedAt" IS NOT NULL
          WHEN 'snoozed' THEN n."snoozedUntil" > $4::timestamp(3)
          ELSE true
        END
    AND (NOT $5::boolean OR n."readAt" IS NULL)
    AND ($6::"NotificationType"[] IS NULL OR n."type" = ANY($6::"NotificationType"[]))
    AND ($7::"NotificationPriority"[] IS NULL OR n."priority" = ANY($7::"NotificationPriority"[]))
    AND ($8::text IS NULL OR n."title" ILIKE $8::text OR n."message" ILIKE $8::text)
  ORDER BY n."seq" DESC
  LIMIT $9`;

/**
 * `q` trimmed, with `%`, `_` and `\` escaped so that they match themselves in a LIKE pattern
 * (backslash is PostgreSQL's LIKE escape); undefined when nothing is left to search for. Prisma's
 * `contains` is ILIKE '%…%' with the text as it comes, so both the list and filterCondition need it.
 */
function escapedSearch(q: string | undefined): string | undefined {
  return q?.trim().replace(/[\\%_]/g, (character) => `\\${character}`) || undefined;
}

/** The list's `filter` as a Prisma condition, at `now` (the rule is the contract's matchesFilter). */
export function filterCondition(filter: NotificationFilter, now: Date): Prisma.NotificationWhereInput {
  const views: Record<NonNullable<NotificationFilter['view']>, Prisma.NotificationWhereInput> = {
    all: {},
    inbox: { archivedAt: null, OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: now } }] },
    archived: { archivedAt: { not: null } },
    snoozed: { snoozedUntil: { gt: now } },
  };
  const q = escapedSearch(filter.q);
  return {
    ...views[filter.view ?? 'all'],
    ...(filter.unread ? { readAt: null } : {}),
    ...(filter.types?.length ? { type: { in: [...filter.types] } } : {}),
    ...(filter.priorities?.length ? { priority: { in: [...filter.priorities] } } : {}),
    ...(q
      ? { AND: [{ OR: [{ title: { contains: q, mode: 'insensitive' as const } }, { message: { contains: q, mode: 'insensitive' as const } }] }] }
      : {}),
  };
}

/** One client's catch-up question: everything of the user's after this seq. */
export interface ReplayKey {
  userId: string;
  afterSeq: bigint;
}

/** What the database holds for one ReplayKey. */
export interface ReplayRows {
  unreadCount: number;
  /** The highest seq of the user's that retention purged (NotificationPurge), 0 when none. */
  purgedThroughSeq: bigint;
  /** The user's highest seq in the database, 0 when none. */
  newestSeq: bigint;
  /** Oldest first, at most the limit asked for; each with whether its recipient muted its type. */
  missed: Array<Notification & { typeMuted: boolean }>;
}

/**
 * The send a write of notifications belongs to, stored by the same statement (see
 * CREATE_SEND_SQL): every notification carries its id, and its receipts are the send's counts.
 */
export interface SendRecord {
  id: string;
  senderId: string | null;
  target: { kind: SendTargetKind; id: string | null };
  requireAck: boolean;
  escalation: { afterSeconds: number; to: { kind: SendTargetKind; id: string | null } } | null;
  /** For an escalation step: the send it escalates and the step's number. */
  escalationOf: { sendId: string; step: number } | null;
}
export type SendTargetKind = SendTargetDto['kind'];

/** The languages a send's words are passed in; the first is also what a recipient without a version of their own gets. */
const WRITTEN_LANGUAGES = [DEFAULT_LANGUAGE, ...LANGUAGES.filter((language) => language !== DEFAULT_LANGUAGE)];

/**
 * One statement for a whole send: create_notifications locks the recipients and inserts one
 * notification per existing recipient, in the recipient's language ($3, $4 and $7 hold the words
 * in each language of $27, WRITTEN_LANGUAGES). The send's row ($10, $12…$20, with the default
 * language's words) and, when $22 is set, its audit entry ($21…$26) are written with them, so a send costs one round trip and its record
 * commits with its notifications, or neither does. With $20 (one named user) an unknown
 * recipient writes nothing at all. A scheduled send's row exists already: it gets its recipient
 * count and time. createdAt is written as UTC wall time, as Prisma writes it; the column default
 * would use the session's time zone.
 */
export const CREATE_SEND_SQL = `
  WITH created AS (
    SELECT * FROM create_notifications(
      $1::text[], $2::"NotificationType", $27::text[], $3::text[], $4::text[], $5::"NotificationPriority", $6::text, $7::text[], $8::jsonb,
      $9::timestamp(3), $10::text, $11::boolean)
  ), sent AS (
    INSERT INTO "Send" ("id", "senderId", "type", "priority", "title", "message", "actionUrl", "actionText", "metadata",
                        "targetKind", "targetId", "requireAck", "recipients", "createdAt", "sentAt",
                        "escalateAfterSeconds", "escalateToKind", "escalateToId", "escalationOf", "escalationStep")
    SELECT $10::text, $12::text, $2::"NotificationType", $5::"NotificationPriority", ($3::text[])[1], ($4::text[])[1], $6::text, ($7::text[])[1], $8::jsonb,
           $13::text, $14::text, $11::boolean, (SELECT count(*) FROM created)::int, $9::timestamp(3), $9::timestamp(3),
           $15::int, $16::text, $17::text, $18::text, $19::int
    WHERE NOT $20::boolean OR EXISTS (SELECT 1 FROM created)
    ON CONFLICT ("id") DO UPDATE SET "recipients" = EXCLUDED."recipients", "sentAt" = EXCLUDED."sentAt"
  ), audited AS (
    INSERT INTO "AuditLog" ("actorId", "action", "targetType", "targetId", "node", "details", "at")
    SELECT $21::text, $22::text, $23::text, $24::text, $25::text, $26::jsonb, $9::timestamp(3)
    WHERE $22::text IS NOT NULL AND (NOT $20::boolean OR EXISTS (SELECT 1 FROM created))
  )
  SELECT * FROM created`;

/**
 * For each (user, cursor) pair: its position in the arrays, the user's unread count and purge
 * horizon, then at most `$3` of what that user missed after the cursor, each with whether the
 * user muted its type. A pair's count row comes back alone when nothing was missed. The horizon
 * is read in the same statement (one snapshot) as the notifications: a purge that removed some
 * of them has also raised it. So is the user's newest seq, which tells a cursor from a history
 * this database does not have (a restored backup, older than the client).
 */
const REPLAY_SQL = `
  SELECT r.i::int AS "requestIndex", r."unreadCount", r."purgedThroughSeq", r."newestSeq", ${notificationColumns('n')},
         EXISTS (
           SELECT 1 FROM "NotificationPreference" p WHERE p."userId" = n."userId" AND p."type" = n."type" AND p."muted") AS "typeMuted"
  FROM (
    SELECT c.i, c.user_id, c.after_seq,
           (SELECT count(*)::int FROM "Notification" u WHERE u."userId" = c.user_id AND ${unreadInInbox('u')}) AS "unreadCount",
           coalesce((SELECT "throughSeq" FROM "NotificationPurge" WHERE "userId" = c.user_id), 0) AS "purgedThroughSeq",
           coalesce((SELECT max("seq") FROM "Notification" WHERE "userId" = c.user_id), 0) AS "newestSeq"
    FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS c(user_id, after_seq, i)
  ) AS r
  LEFT JOIN LATERAL (
    SELECT * FROM "Notification" WHERE "userId" = r.user_id AND "seq" > r.after_seq ORDER BY "seq" LIMIT $3
  ) AS n ON true
  ORDER BY r.i, n."seq"`;

type ReplayRow = Notification & { requestIndex: number; unreadCount: number; purgedThroughSeq: bigint; newestSeq: bigint; typeMuted: boolean };

/**
 * Acknowledges one of the user's notifications ($1, $2) at $3, marking it read too, and records
 * the first acknowledgement on its send and, for an escalation step, on the send it escalates:
 * that is what stops further escalation (see EscalationService), in the same statement, so an
 * acknowledgement and a step firing serialize on the send's row. The audit entry (node $4) is
 * part of it.
 */
const ACKNOWLEDGE_SQL = `
  WITH acked AS (
    UPDATE "Notification" n SET "acknowledgedAt" = $3::timestamp(3), "readAt" = coalesce("readAt", $3::timestamp(3)), "version" = "version" + 1
    WHERE "id" = $1 AND "userId" = $2 AND "acknowledgedAt" IS NULL
    RETURNING ${notificationColumns('n')}
  ), send AS (
    UPDATE "Send" s SET "acknowledgedAt" = $3::timestamp(3)
    FROM acked WHERE s."id" = acked."sendId" AND s."acknowledgedAt" IS NULL
  ), origin AS (
    UPDATE "Send" o SET "acknowledgedAt" = $3::timestamp(3)
    FROM acked JOIN "Send" s ON s."id" = acked."sendId"
    WHERE o."id" = s."escalationOf" AND o."acknowledgedAt" IS NULL
  ), audited AS (
    INSERT INTO "AuditLog" ("actorId", "action", "targetType", "targetId", "node", "details", "at")
    SELECT $2::text, 'notification.acknowledged', 'send', acked."sendId", $4::text, jsonb_build_object('notificationId', acked."id"), $3::timestamp(3)
    FROM acked
  )
  SELECT ${notificationColumns('acked')} FROM acked`;

/** Sets one receipt column ("deliveredAt" or "seenAt") of each (id, user) pair that has none yet. */
const receiptSql = (column: 'deliveredAt' | 'seenAt'): string => `
  UPDATE "Notification" n SET "${column}" = r.at
  FROM unnest($1::text[], $2::text[], $3::timestamp(3)[]) AS r(id, user_id, at)
  WHERE n."id" = r.id AND n."userId" = r.user_id AND n."${column}" IS NULL
  RETURNING n."id", n."userId", n."sendId"`;

/**
 * Each send's receipt counts. A later receipt implies the earlier ones (a notification read on
 * a device that never confirmed its arrival was still delivered and seen).
 */
const SEND_COUNTS_SQL = `
  SELECT s."id" AS "sendId", s."senderId", s."recipients",
         count(n."id") FILTER (WHERE n."deliveredAt" IS NOT NULL OR n."seenAt" IS NOT NULL OR n."readAt" IS NOT NULL)::int AS "delivered",
         count(n."id") FILTER (WHERE n."seenAt" IS NOT NULL OR n."readAt" IS NOT NULL)::int AS "seen",
         count(n."id") FILTER (WHERE n."readAt" IS NOT NULL)::int AS "read",
         count(n."id") FILTER (WHERE n."acknowledgedAt" IS NOT NULL)::int AS "acknowledged"
  FROM "Send" s LEFT JOIN "Notification" n ON n."sendId" = s."id"
  WHERE s."id" = ANY($1::text[])
  GROUP BY s."id"`;

export interface Receipt {
  id: string;
  userId: string;
  at: Date;
}

export interface SendCountsRow extends SendCounts {
  sendId: string;
  senderId: string | null;
}

// Columns of Notification rows (create_notifications' result, replays) that pg would not parse
// as Prisma does: BIGINT (a string by default) and TIMESTAMP (local time by default; stored as
// UTC wall time).
const PG_INT8 = 20;
const PG_TIMESTAMP = 1114;
export const prismaCompatibleTypes = {
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
 * named statements, which each connection parses once instead of on every call. The statements
 * and their arguments are exported for the benchmark's baselines (bench/), which run them with
 * minimal code around.
 */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  // ---- writing ---------------------------------------------------------------------------

  /**
   * Inside the caller's transaction, as its last statement (see NotificationsService.createInTransaction);
   * with the send's audit entry when given.
   */
  async insertInTransaction(tx: Tx, userIds: readonly string[], content: LocalizedContent, send: SendRecord, audit: AuditRow | null): Promise<CreatedNotification[]> {
    const rows = await tx.$queryRawUnsafe<CreatedRow[]>(CREATE_SEND_SQL, ...createSendArguments(userIds, content, send, audit, false));
    return rows.map(asCreated);
  }

  /**
   * A send to one named user with its audit entry, as one statement in its own transaction: the
   * send path that runs hundreds of times a second. Nothing is written for an unknown user.
   */
  async insertNow(userId: string, content: LocalizedContent, send: SendRecord, audit: AuditRow): Promise<CreatedNotification[]> {
    const { rows } = await this.prisma.pool.query<CreatedRow>({
      name: 'create_send',
      text: CREATE_SEND_SQL,
      values: createSendArguments([userId], content, send, audit, true),
      types: prismaCompatibleTypes,
    });
    return rows.map(asCreated);
  }

  /** The sends of the notifications that were unread (one entry each, null for those of no send). */
  async markAllRead(userId: string): Promise<Array<string | null>> {
    const rows = await this.prisma.notification.updateManyAndReturn({
      where: { userId, readAt: null },
      data: { readAt: new Date(), version: { increment: 1 } },
      select: { sendId: true },
    });
    return rows.map((row) => row.sendId);
  }

  /** Acknowledges the user's notification if it is not yet; null when it is (or is not theirs). */
  async acknowledge(userId: string, id: string, at: Date, node: string): Promise<Notification | null> {
    const { rows } = await this.prisma.pool.query<Notification>({
      name: 'acknowledge_notification',
      text: ACKNOWLEDGE_SQL,
      values: [id, userId, at.toISOString(), node],
      types: prismaCompatibleTypes,
    });
    return rows[0] ?? null;
  }

  /** Records receipts in one statement; returns those that were new, with their sends. */
  async recordReceipts(column: 'deliveredAt' | 'seenAt', receipts: readonly Receipt[]): Promise<Array<Omit<Receipt, 'at'> & { sendId: string | null }>> {
    const { rows } = await this.prisma.pool.query<Omit<Receipt, 'at'> & { sendId: string | null }>({
      name: `record_${column}`,
      text: receiptSql(column),
      values: [receipts.map((r) => r.id), receipts.map((r) => r.userId), receipts.map((r) => r.at.toISOString())],
    });
    return rows;
  }

  sendCounts(sendIds: readonly string[]): Promise<SendCountsRow[]> {
    return this.prisma.pool
      .query<SendCountsRow>({ name: 'send_counts', text: SEND_COUNTS_SQL, values: [sendIds] })
      .then(({ rows }) => rows);
  }

  // ---- reading ---------------------------------------------------------------------------

  /** The user's notifications that match the filter, newest (highest seq) first. */
  async page(userId: string, query: PageQuery): Promise<Notification[]> {
    const { rows } = await this.prisma.pool.query<Notification>({
      name: 'notification_page',
      text: PAGE_SQL,
      values: pageArguments(userId, query),
      types: prismaCompatibleTypes,
    });
    return rows;
  }

  find(userId: string, id: string): Promise<Notification | null> {
    return this.prisma.notification.findFirst({ where: { id, userId } });
  }

  async unreadCount(userId: string): Promise<number> {
    const { rows } = await this.prisma.pool.query<{ count: number }>({ name: 'unread_count', text: UNREAD_COUNT_SQL, values: [userId] });
    return rows[0].count;
  }

  /** For each key, in one statement: the user's unread count and at most `limit` missed notifications. */
  async replay(keys: readonly ReplayKey[], limit: number): Promise<ReplayRows[]> {
    const { rows } = await this.prisma.pool.query<ReplayRow>({
      name: 'replay_notifications',
      text: REPLAY_SQL,
      values: [keys.map((key) => key.userId), keys.map((key) => key.afterSeq.toString()), limit],
      types: prismaCompatibleTypes,
    });
    const answers = keys.map((): ReplayRows => ({ unreadCount: 0, purgedThroughSeq: 0n, newestSeq: 0n, missed: [] }));
    for (const { requestIndex, unreadCount, purgedThroughSeq, newestSeq, ...row } of rows) {
      const answer = answers[requestIndex - 1];
      answer.unreadCount = unreadCount;
      answer.purgedThroughSeq = purgedThroughSeq;
      answer.newestSeq = newestSeq;
      // The LEFT JOIN's row for a key that missed nothing.
      if (row.id !== null) answer.missed.push(row);
    }
    return answers;
  }
}

/** PAGE_SQL's parameters for the user's page. */
export function pageArguments(userId: string, query: PageQuery): unknown[] {
  const { view = 'all', unread = false, types, priorities } = query.filter;
  const q = escapedSearch(query.filter.q);
  return [
    userId,
    // "Older than the cursor" as an upper bound the index takes; without one, every seq.
    (query.before !== undefined ? query.before - 1n : MAX_SEQ).toString(),
    view,
    new Date().toISOString(),
    unread,
    types?.length ? types : null,
    priorities?.length ? priorities : null,
    q ? `%${q}%` : null,
    query.take,
  ];
}

/** create_notifications' row: a Notification but for the triage columns, which a new row has at their defaults. */
type CreatedRow = Omit<CreatedNotification, 'archivedAt' | 'snoozedUntil' | 'version'>;

function asCreated(row: CreatedRow): CreatedNotification {
  return { ...row, archivedAt: null, snoozedUntil: null, version: 0 };
}

export function createSendArguments(
  userIds: readonly string[],
  content: LocalizedContent,
  send: SendRecord,
  audit: AuditRow | null,
  requireRecipients: boolean,
): unknown[] {
  const { type, priority, actionUrl, metadata } = content[DEFAULT_LANGUAGE];
  const words = (field: 'title' | 'message' | 'actionText') => WRITTEN_LANGUAGES.map((language) => content[language][field]);
  const { escalation, escalationOf } = send;
  return [
    userIds, type, words('title'), words('message'), priority, actionUrl, words('actionText'), JSON.stringify(metadata), new Date().toISOString(), send.id, send.requireAck,
    send.senderId, send.target.kind, send.target.id,
    escalation?.afterSeconds ?? null, escalation?.to.kind ?? null, escalation?.to.id ?? null,
    escalationOf?.sendId ?? null, escalationOf?.step ?? null,
    requireRecipients,
    audit?.actorId ?? null, audit?.action ?? null, audit?.targetType ?? null, audit?.targetId ?? null, audit?.node ?? null,
    audit ? JSON.stringify(audit.details) : null,
    WRITTEN_LANGUAGES,
  ];
}
