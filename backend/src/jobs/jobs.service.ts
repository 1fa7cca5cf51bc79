import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { Gauge } from 'prom-client';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import { MetricsService } from '../metrics/metrics.service';

/**
 * Durable jobs (escalation steps, scheduled sends; email and SMS next) on pg-boss 10, in the
 * application's own PostgreSQL (schema `pgboss`).
 *
 * Why pg-boss, from a measured spike (pg-boss 10.4.2 against graphile-worker 0.16, on PGlite and
 * on PostgreSQL 15; figures in docs/reliability.md, "Durable jobs"):
 * - A job is enqueued inside the transaction of the rows that cause it: it exists if and only if
 *   they committed. pg-boss takes any SQL executor per call (`db`), so the enqueue runs on the
 *   Prisma transaction's connection.
 * - It runs on the embedded database, whose socket server serves one connection that the app's
 *   pool holds: pg-boss polls through that same pool (`db`) and needs no connection of its own.
 *   graphile-worker keeps a LISTEN connection of its own, which the embedded database cannot
 *   give it: one code path for embedded and cluster mode rules it out. BullMQ needs Redis, which
 *   the embedded mode does not have, and an outbox to be transactional.
 * - pg-boss 10 is the last line that supports Node 20 (11 and later need Node 22).
 * - Fetching uses SELECT … FOR UPDATE SKIP LOCKED: with several nodes a due job goes to one.
 *
 * Exactly once is not left to the engine: a job may run twice (a node killed after its work
 * committed but before the job was marked done is retried), so every handler claims its work
 * with a conditional UPDATE in its own transaction and does nothing when the claim fails.
 *
 * On time: a node asks for due jobs every POLLING_SECONDS (pg-boss's minimum), in batches of
 * FETCH_BATCH, run concurrently, so a burst of jobs due at once does not queue behind each other
 * (one per poll would put the twentieth 10 s late).
 */
const POLLING_SECONDS = 0.5;
const FETCH_BATCH = 20;
/**
 * Jobs of one batch run at once, each in a transaction holding a pooled connection: few enough
 * to leave the pool to the requests (the embedded database's pool has one connection: one job
 * at a time there).
 */
const CONCURRENT_JOBS = 4;

/**
 * Marks the errors of pg-boss's own statements. pg-boss 10 does not await the statement that
 * completes or fails a batch it ran, so a database error there (a failover, a pool timeout) is
 * an unhandled rejection, which would end the process. It is harmless: the job stays active and
 * is handed out again after expireInSeconds, and every handler's claim makes a second run do
 * nothing. Such rejections are logged; any other one still ends the process.
 */
const FROM_JOB_ENGINE = Symbol('from the job engine');

/**
 * Installed once per process and never removed: a batch that outlives its engine's stop (past
 * its timeout) is recorded by such a statement later still, on a pool that may have closed.
 */
let rejectionFilterInstalled = false;
function filterJobEngineRejections(): void {
  if (rejectionFilterInstalled) return;
  rejectionFilterInstalled = true;
  const logger = new Logger(JobsService.name);
  process.on('unhandledRejection', (reason: unknown) => {
    if (typeof reason === 'object' && reason !== null && FROM_JOB_ENGINE in reason) {
      logger.warn(`job engine could not record a job's outcome; it runs again after it expires: ${String((reason as { message?: unknown }).message)}`);
      return;
    }
    // Not ours: what Node does without a listener.
    throw reason;
  });
}

/** Jobs per INSERT statement of enqueueMany: well under PostgreSQL's parameter and statement limits (one JSON parameter). */
const INSERT_BATCH = 1000;

/** pg-boss's SQL run on the caller's transaction, so a job exists if and only if it commits. */
function inTransaction(tx: Tx): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }) };
}

/** What every queue of ours does with a failing job: retried with exponential back-off, then kept as failed. */
const QUEUE_DEFAULTS: Omit<PgBoss.Queue, 'name'> = {
  retryLimit: 8,
  retryDelay: 2,
  retryBackoff: true,
  // A job still active this long after it started (its node died) is handed out again.
  expireInSeconds: 60,
  // Done and failed jobs are kept a week for inspection, then archived by pg-boss's maintenance.
  retentionMinutes: 7 * 24 * 60,
};

export type JobHandler<T> = (data: T, job: { id: string; retryCount: number }) => Promise<void>;

/** A queue's own retry policy and expiry, where QUEUE_DEFAULTS does not fit, and its schedule. */
export interface QueueOptions extends Pick<PgBoss.Queue, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'expireInSeconds'> {
  /**
   * A cron expression (UTC): pg-boss enqueues one job each time it comes round, once for the
   * whole cluster (a conditional UPDATE of its clock row lets one node look each half minute, and
   * the job is a singleton of that minute).
   */
  cron?: string;
}

interface Registration {
  queue: string;
  handler: JobHandler<object>;
  options: QueueOptions;
}

@Injectable()
export class JobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobsService.name);
  private readonly boss: PgBoss;
  private readonly registrations: Registration[] = [];
  private readonly concurrency: number;
  private started = false;

  constructor(prisma: PrismaService, metrics: MetricsService) {
    this.concurrency = prisma.isEmbedded ? 1 : CONCURRENT_JOBS;
    const jobs = this;
    new Gauge({
      name: 'clinic_job_queue_depth',
      help: 'Durable jobs waiting to run (scheduled or due, retries included), by queue',
      labelNames: ['queue'] as const,
      registers: [metrics.registry],
      async collect() {
        if (!jobs.started) return;
        const sizes = await jobs.queueSizes().catch(() => null);
        for (const [queue, size] of Object.entries(sizes ?? {})) this.set({ queue }, size);
      },
    });
    this.boss = new PgBoss({
      db: {
        executeSql: (text, values) =>
          prisma.pool.query(text, values).catch((error: unknown) => {
            throw Object.assign(error instanceof Error ? error : new Error(String(error)), { [FROM_JOB_ENGINE]: true });
          }),
      },
      // Cron schedules (QueueOptions.cron) on; so is maintenance: expiring the jobs of dead
      // nodes, archiving done and failed jobs, deleting archived ones (pg-boss's own retention).
      schedule: true,
      // How soon the job of a node that died while running it is handed out again, after expireInSeconds.
      maintenanceIntervalSeconds: 10,
    });
    this.boss.on('error', (error) => this.logger.warn(`job engine: ${error.message}`));
    filterJobEngineRejections();
  }

  /** Called by feature modules while they initialize; the workers start once the app is up. */
  register<T extends object>(queue: string, handler: JobHandler<T>, options: QueueOptions = {}): void {
    if (this.started) throw new Error(`queue ${queue} registered after the job engine started`);
    this.registrations.push({ queue, handler: handler as JobHandler<object>, options });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.boss.start();
    for (const { queue, handler, options: { cron, ...options } } of this.registrations) {
      await this.ensureQueue(queue, options);
      // Every node writes the same schedule (an upsert by queue name): the last start wins.
      if (cron) await this.boss.schedule(queue, cron, {}, { tz: 'UTC' });
      await this.boss.work<object>(queue, { pollingIntervalSeconds: POLLING_SECONDS, batchSize: FETCH_BATCH, includeMetadata: true }, (jobs) =>
        this.runBatch(queue, handler, jobs),
      );
    }
    this.started = true;
  }

  async onModuleDestroy(): Promise<void> {
    // Waits for the jobs in progress; a job cut off later is handed out again after expireInSeconds.
    await this.boss.stop({ graceful: true, wait: true, timeout: 5_000 }).catch((error: Error) => this.logger.warn(`stopping the job engine: ${error.message}`));
  }

  /**
   * Enqueues a job in the caller's transaction: it exists if and only if the transaction commits.
   * `id` (a UUID) makes the job findable later, e.g. to cancel it.
   */
  async enqueue(tx: Tx, queue: string, data: object, options: { startAfter: Date; id?: string }): Promise<void> {
    const id = await this.boss.send(queue, data, {
      startAfter: options.startAfter,
      ...(options.id ? { id: options.id } : {}),
      db: inTransaction(tx),
    });
    // pg-boss answers null, and stores nothing, for a queue that does not exist.
    if (id === null) throw new Error(`job queue ${queue} does not exist`);
  }

  /**
   * Many jobs of one queue in the caller's transaction, in one statement per INSERT_BATCH (a
   * broadcast's thousands of deliveries would otherwise take a round trip each). They take the
   * queue's retry options, as enqueue's do.
   */
  async enqueueMany(tx: Tx, queue: string, data: readonly object[], options: { startAfter: Date }): Promise<void> {
    for (let start = 0; start < data.length; start += INSERT_BATCH) {
      const jobs = data.slice(start, start + INSERT_BATCH).map((item) => ({ name: queue, data: item, startAfter: options.startAfter }));
      await this.boss.insert(jobs, { db: inTransaction(tx) });
    }
  }

  /**
   * Cancels a job that has not run. Its handler must not depend on it: a cancel racing the job's
   * start loses, so the caller's own state (a claim) decides.
   */
  async cancel(queue: string, id: string): Promise<void> {
    await this.boss.cancel(queue, id);
  }

  /** Jobs waiting to run, per queue: the depth operators watch. */
  async queueSizes(): Promise<Record<string, number>> {
    const sizes: Record<string, number> = {};
    for (const { queue } of this.registrations) sizes[queue] = await this.boss.getQueueSize(queue);
    return sizes;
  }

  /**
   * Creates the queue, or brings its settings up to date. Nodes starting together race to create
   * it (a partition table each): the loser's deadlock or duplicate error is retried, and then it
   * finds the queue there.
   */
  private async ensureQueue(queue: string, options: Omit<QueueOptions, 'cron'>): Promise<void> {
    const settings = { name: queue, ...QUEUE_DEFAULTS, ...options };
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.boss.getQueue(queue)) return await this.boss.updateQueue(queue, settings);
        return await this.boss.createQueue(queue, settings);
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
      }
    }
  }

  /**
   * Runs a fetched batch, CONCURRENT_JOBS at a time. A job that throws is failed alone (retried
   * with back-off); pg-boss then completes the others, and only those still active. When even
   * failing it cannot be recorded, the batch throws, so pg-boss fails all of it rather than
   * completing that job: the others run again and find their work done.
   */
  private async runBatch(queue: string, handler: JobHandler<object>, jobs: PgBoss.JobWithMetadata<object>[]): Promise<void> {
    const waiting = [...jobs];
    let unrecorded: unknown = null;
    const runNext = async (): Promise<void> => {
      for (let job = waiting.shift(); job; job = waiting.shift()) {
        try {
          await handler(job.data, { id: job.id, retryCount: job.retryCount });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.logger.warn({ msg: 'job failed, to be retried', queue, jobId: job.id, attempt: job.retryCount + 1, error: message });
          await this.boss.fail(queue, job.id, { message }).catch((failError: unknown) => (unrecorded = failError));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, runNext));
    if (unrecorded) throw unrecorded;
  }
}
