import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from '../metrics/metrics.service';
import { PurgeBatch, RetentionRepository } from './retention.repository';

export const RETENTION_QUEUE = 'retention';
/** Hourly, so each run has an hour's worth to delete; at a minute of its own, off the busy full hour. */
const RETENTION_CRON = '17 * * * *';
/** Rows one statement deletes at most. */
export const RETENTION_BATCH_SIZE = 1000;
/** Between two statements: the purge takes a share of the database, never all of it. */
const PAUSE_MS = 100;
/**
 * A run stops after this long and leaves the rest to the next (a first run over years of rows,
 * say), well within its job's expiry, after which pg-boss would hand it to another node as if
 * this one had died.
 */
const RUN_BUDGET_MS = 10 * 60_000;
const RUN_EXPIRY_SECONDS = 15 * 60;

/** The `table` label of clinic_retention_purged_total. */
export type RetentionTable = 'notification' | 'delivery' | 'audit_log' | 'idempotency_record' | 'refresh_token' | 'session';

export interface RetentionReport {
  purged: Record<RetentionTable, number>;
  /** Statements run. */
  batches: number;
  /** False when the run's time budget ran out or the node began to stop: the next run goes on. */
  complete: boolean;
  durationMs: number;
}

/**
 * Deletes what is kept no longer (docs/operations.md, "Retention"): notifications past their age
 * (RETENTION_READ_DAYS once read, RETENTION_UNREAD_DAYS while unread; never one that awaits
 * acknowledgement), email and SMS deliveries past the read age, audit entries past
 * RETENTION_AUDIT_DAYS, idempotency records past their day, ended or expired sessions and the
 * refresh tokens that can no longer be used. pg-boss purges its own archive (JobsService).
 *
 * A job of the durable job engine on a cron schedule, so one node runs it per hour for the whole
 * cluster; it is harmless twice (a retry overlapping the next run): a statement finds the rows
 * another deleted gone. Each statement deletes one batch in its own short transaction, with a
 * pause between (RetentionRepository), so the send path never waits on a purge for long.
 *
 * A purged notification was never announced to its user's clients (a deletion is), so each purge
 * raises the user's horizon, and a catch-up from a cursor below it makes the client refetch
 * (CatchUpService).
 */
@Injectable()
export class RetentionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private stopping = false;

  constructor(
    private readonly repository: RetentionRepository,
    private readonly jobs: JobsService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(RETENTION_QUEUE, async () => {
      await this.run();
    }, { cron: RETENTION_CRON, expireInSeconds: RUN_EXPIRY_SECONDS });
  }

  /** A run under way ends after its current statement. */
  onModuleDestroy(): void {
    this.stopping = true;
  }

  async run(): Promise<RetentionReport> {
    const started = Date.now();
    const { retentionReadDays, retentionUnreadDays, retentionAuditDays } = this.config;
    const report: RetentionReport = {
      purged: { notification: 0, delivery: 0, audit_log: 0, idempotency_record: 0, refresh_token: 0, session: 0 },
      batches: 0,
      complete: true,
      durationMs: 0,
    };
    const keptForEver = (days: number) => (days === 0 ? null : days);
    const steps: Array<[RetentionTable, ((after: bigint) => Promise<PurgeBatch>) | null]> = [
      [
        'notification',
        retentionReadDays || retentionUnreadDays
          ? (after) => this.repository.purgeNotifications(after, RETENTION_BATCH_SIZE, keptForEver(retentionReadDays), keptForEver(retentionUnreadDays))
          : null,
      ],
      ['delivery', retentionReadDays ? (after) => this.repository.purgeDeliveries(after, RETENTION_BATCH_SIZE, retentionReadDays) : null],
      ['audit_log', retentionAuditDays ? () => this.repository.purgeAuditLog(RETENTION_BATCH_SIZE, retentionAuditDays) : null],
      ['idempotency_record', () => this.repository.purgeIdempotencyRecords(RETENTION_BATCH_SIZE)],
      ['refresh_token', () => this.repository.purgeRefreshTokens(RETENTION_BATCH_SIZE)],
      ['session', () => this.repository.purgeSessions(RETENTION_BATCH_SIZE)],
    ];
    for (const [table, purge] of steps) {
      if (!purge) continue;
      for (let next: bigint | null = 0n; next !== null; ) {
        if (this.stopping || Date.now() - started > RUN_BUDGET_MS) {
          report.complete = false;
          break;
        }
        if (report.batches > 0) await sleep(PAUSE_MS);
        const batch = await purge(next);
        report.batches += 1;
        report.purged[table] += batch.purged;
        if (batch.purged > 0) this.metrics.retentionPurged.inc({ table }, batch.purged);
        next = batch.next;
      }
    }
    report.durationMs = Date.now() - started;
    this.logger.log({ msg: 'retention run', ...report });
    return report;
  }
}
