import { Injectable } from '@nestjs/common';
import { IDEMPOTENCY_RETENTION_MS } from '../common/idempotency.service';
import { PrismaService } from '../database/prisma.service';

/**
 * What one purge statement did: the rows it deleted, and where the next statement of the same
 * table starts (a seq to scan on from, or 0n where the table's own index finds what is due),
 * or null when nothing more is due.
 */
export interface PurgeBatch {
  purged: number;
  next: bigint | null;
}

/**
 * The time `days` ago by the database's clock, as a UTC wall time like the stored ones (null, and
 * so matching nothing, for null days). The database's clock, not the node's: it is the one the
 * audit log's trigger checks, and it is the same for every node.
 */
const daysAgo = (parameter: string) => `((now() AT TIME ZONE 'UTC') - make_interval(days => ${parameter}::int))`;
const NOW = `(now() AT TIME ZONE 'UTC')`;

/**
 * A window of `$2` notifications in seq order after `$1`. Of those, it deletes the ones past their
 * age (`$3` days once read, `$4` while unread, null: kept) that do not await acknowledgement, and
 * raises each of their users' purge horizon in the same statement, so that no replay can see the
 * rows gone and the horizon not yet moved (see CatchUpService). The conditions are checked again
 * on each row as it is now (a read or an acknowledgement committed meanwhile counts). More is due
 * while the window held rows older than the younger age: seq follows creation (createdAt is the
 * inserting node's clock, so a skew between nodes leaves at most a straggler to the next run), so
 * the scan stops at the first window of recent notifications instead of reading the whole table,
 * and needs no index on createdAt, which every insert would have to maintain.
 */
const PURGE_NOTIFICATIONS_SQL = `
  WITH batch AS (
    SELECT "seq", "createdAt" FROM "Notification" WHERE "seq" > $1::bigint ORDER BY "seq" LIMIT $2::int
  ), purged AS (
    DELETE FROM "Notification" n
    WHERE n."seq" IN (SELECT "seq" FROM batch)
      AND NOT (n."requireAck" AND n."acknowledgedAt" IS NULL)
      AND n."createdAt" < CASE WHEN n."readAt" IS NULL THEN ${daysAgo('$4')} ELSE ${daysAgo('$3')} END
    RETURNING n."userId", n."seq"
  ), horizon AS (
    INSERT INTO "NotificationPurge" AS h ("userId", "throughSeq", "purgedAt")
    SELECT "userId", max("seq"), ${NOW} FROM purged GROUP BY "userId"
    ON CONFLICT ("userId") DO UPDATE SET "throughSeq" = greatest(h."throughSeq", EXCLUDED."throughSeq"), "purgedAt" = EXCLUDED."purgedAt"
  )
  SELECT (SELECT count(*) FROM purged)::int AS "purged", (SELECT max("seq") FROM batch) AS "lastSeq",
         EXISTS (SELECT 1 FROM batch WHERE "createdAt" < greatest(${daysAgo('$3')}, ${daysAgo('$4')})) AS "more"`;

/** The same window scan over email and SMS deliveries older than `$3` days; a queued one (its job still to run) stays. */
const PURGE_DELIVERIES_SQL = `
  WITH batch AS (
    SELECT "seq", "createdAt" FROM "Delivery" WHERE "seq" > $1::bigint ORDER BY "seq" LIMIT $2::int
  ), purged AS (
    DELETE FROM "Delivery" d
    WHERE d."seq" IN (SELECT "seq" FROM batch) AND d."createdAt" < ${daysAgo('$3')} AND d."status" <> 'QUEUED'
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM purged)::int AS "purged", (SELECT max("seq") FROM batch) AS "lastSeq",
         EXISTS (SELECT 1 FROM batch WHERE "createdAt" < ${daysAgo('$3')}) AS "more"`;

/** The audit log's own index on `at` finds the oldest entries; the trigger lets them go (see the audit_log_retention migration). */
const PURGE_AUDIT_LOG_SQL = `
  DELETE FROM "AuditLog" WHERE "seq" IN (
    SELECT "seq" FROM "AuditLog" WHERE "at" < ${daysAgo('$1')} ORDER BY "at" LIMIT $2::int)`;

/** Past the day within which a retry returns the first result (by the index on createdAt). */
const PURGE_IDEMPOTENCY_SQL = `
  DELETE FROM "IdempotencyRecord" WHERE ("userId", "route", "key") IN (
    SELECT "userId", "route", "key" FROM "IdempotencyRecord"
    WHERE "createdAt" < ${NOW} - make_interval(secs => $1::float8) ORDER BY "createdAt" LIMIT $2::int)`;

/**
 * Refresh tokens that can no longer be exchanged: expired, or of a session that ended or expired.
 * Before their sessions, so deleting a session cascades to few rows (a session refreshed every
 * quarter of an hour for a week holds hundreds of used tokens).
 */
const PURGE_REFRESH_TOKENS_SQL = `
  DELETE FROM "RefreshToken" WHERE "id" IN (
    SELECT t."id" FROM "RefreshToken" t JOIN "Session" s ON s."id" = t."sessionId"
    WHERE t."expiresAt" < ${NOW} OR s."endedAt" IS NOT NULL OR s."expiresAt" < ${NOW}
    LIMIT $1::int)`;

/**
 * Sessions that ended or expired: their tokens are refused either way (a token naming a session
 * that no longer exists is no better than one naming an ended session, see
 * SessionsRepository.activeSessions).
 */
const PURGE_SESSIONS_SQL = `
  DELETE FROM "Session" WHERE "id" IN (
    SELECT "id" FROM "Session" WHERE "endedAt" IS NOT NULL OR "expiresAt" < ${NOW} LIMIT $1::int)`;

interface WindowRow {
  purged: number;
  lastSeq: bigint | null;
  more: boolean;
}

/**
 * Retention's statements. Each deletes at most one batch and runs alone, in a transaction of its
 * own: it holds the row locks of one batch for milliseconds, so sends, reads and receipts on other
 * rows never wait for a purge, and those on its rows wait for one statement at most.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Null days: that kind is kept for ever; at least one of the two is a number. */
  purgeNotifications(after: bigint, batchSize: number, readDays: number | null, unreadDays: number | null): Promise<PurgeBatch> {
    return this.window(PURGE_NOTIFICATIONS_SQL, after, batchSize, readDays, unreadDays);
  }

  purgeDeliveries(after: bigint, batchSize: number, days: number): Promise<PurgeBatch> {
    return this.window(PURGE_DELIVERIES_SQL, after, batchSize, days);
  }

  /** In a transaction that announces the retention age, which the append-only trigger checks each entry against. */
  async purgeAuditLog(batchSize: number, days: number): Promise<PurgeBatch> {
    const purged = await this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT set_config('clinic.audit_retention_days', ${String(days)}, true)`;
      return tx.$executeRawUnsafe(PURGE_AUDIT_LOG_SQL, days, batchSize);
    });
    return indexed(purged, batchSize);
  }

  async purgeIdempotencyRecords(batchSize: number): Promise<PurgeBatch> {
    return indexed(await this.prisma.$executeRawUnsafe(PURGE_IDEMPOTENCY_SQL, IDEMPOTENCY_RETENTION_MS / 1000, batchSize), batchSize);
  }

  async purgeRefreshTokens(batchSize: number): Promise<PurgeBatch> {
    return indexed(await this.prisma.$executeRawUnsafe(PURGE_REFRESH_TOKENS_SQL, batchSize), batchSize);
  }

  async purgeSessions(batchSize: number): Promise<PurgeBatch> {
    return indexed(await this.prisma.$executeRawUnsafe(PURGE_SESSIONS_SQL, batchSize), batchSize);
  }

  private async window(sql: string, after: bigint, batchSize: number, ...days: Array<number | null>): Promise<PurgeBatch> {
    const [row] = await this.prisma.$queryRawUnsafe<WindowRow[]>(sql, after, batchSize, ...days);
    return { purged: row.purged, next: row.more && row.lastSeq !== null ? row.lastSeq : null };
  }
}

/** A statement that found its rows by index: more may be due while it filled its batch. */
function indexed(purged: number, batchSize: number): PurgeBatch {
  return { purged, next: purged === batchSize ? 0n : null };
}
