import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DeliveryDto, DeliveryPageDto, DeliveryStatus as WireStatus, isQuietTime, localClock, NotificationPriority, reachesBy } from '@clinic/contracts';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { TransactionService, Tx } from '../common/transaction.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { DeliveryChannel } from '../generated/prisma/client';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from '../metrics/metrics.service';
import { parseSeq } from '../notifications/seq';
import { DIGEST_MAX_ITEMS, renderDigest, renderMail, renderSms } from './delivery-templates';
import { Delivery, DeliveriesRepository, NewDelivery, STATUS_OF } from './deliveries.repository';
import { EmailProvider, HttpSmsProvider, LoggingSmsProvider, OutboxEmailProvider, SmsProvider, SmtpEmailProvider } from './providers';

/** A send's external deliveries are planned by one job, enqueued in the send's own transaction. */
const PLAN_QUEUE = 'channels-plan';
/** Each delivery is one job of its own, retried with back-off. */
const DELIVER_QUEUE = 'channels-deliver';

interface PlanJob {
  sendId: string;
  /** Only the recipients who have not read it yet, by email only: the HIGH-unread rule. */
  unreadOnly?: boolean;
}
interface DeliverJob {
  deliveryId: string;
}

/**
 * A digest is due from its time until this many minutes later (the same day on the user's
 * clock): a node that was down at the time still sends it when it is back within the hour, and
 * a digest that found nothing unread is not sent late in the afternoon instead.
 */
const DIGEST_WINDOW_MINUTES = 60;


/** Whether notifications of this priority may go out by email or SMS (see DeliveriesService.enqueueFor). */
export function hasExternalChannels(priority: NotificationPriority): boolean {
  return priority === 'CRITICAL' || priority === 'HIGH';
}

const WIRE_STATUS: Readonly<Record<Delivery['status'], WireStatus>> = { QUEUED: 'queued', SENT: 'sent', FAILED: 'failed', OUTBOX: 'outbox' };

/**
 * Email and SMS: the external channels of notifications, through a durable queue on the job
 * engine (JobsService).
 *
 * - Rules: CRITICAL (escalations too) → email and SMS at once; HIGH → email to whoever has not
 *   read it after EMAIL_UNREAD_AFTER_SECONDS; others in-app only. Each recipient's switches for
 *   the type and quiet hours apply on top (the contract's reachesBy: CRITICAL ignores quiet hours).
 * - The daily digest: each node looks every DIGEST_CHECK_SECONDS for users whose digest time has
 *   come; the digest is a delivery like the others, one per user and day (unique), so nodes
 *   checking at once send it once.
 * - Enqueued in the transaction that stores the notifications (a plan job per send), so a
 *   delivery exists if and only if they committed; the plan writes one Delivery row per
 *   (notification, channel), unique, and one job per row, in one transaction.
 * - Never twice per (notification, channel): the row is unique, and each attempt claims it while
 *   it is queued; a node killed after the provider accepted a message and before it was marked
 *   sent retries it (at least once): the Message-ID (mail) and Twilio's idempotency token (SMS)
 *   are the delivery's id, so the receiving side can drop the repeat.
 * - Retried with exponential back-off (pg-boss), dead-lettered (FAILED) after
 *   DELIVERY_MAX_ATTEMPTS, retried by an admin from there.
 * - A rate limit per provider and node (rate-limiter-flexible): over it, an attempt waits for its
 *   turn rather than failing.
 * - Without SMTP_URL or SMS_PROVIDER_URL the message is kept in the outbox and logged: nothing lost.
 */
@Injectable()
export class DeliveriesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DeliveriesService.name);
  private digestTimer: NodeJS.Timeout | null = null;
  private digestCheck: Promise<void> = Promise.resolve();
  private readonly email: EmailProvider;
  private readonly sms: SmsProvider;
  private readonly limiters: Partial<Record<DeliveryChannel, RateLimiterMemory>>;
  private stopping = false;

  constructor(
    private readonly repository: DeliveriesRepository,
    private readonly transactions: TransactionService,
    private readonly jobs: JobsService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.email = config.smtpUrl ? new SmtpEmailProvider(config.smtpUrl, config.mailFrom) : new OutboxEmailProvider();
    this.sms = config.sms ? new HttpSmsProvider(config.sms) : new LoggingSmsProvider();
    // Only a real provider has a rate to respect: the outbox calls nobody.
    this.limiters = {
      ...(config.smtpUrl ? { EMAIL: new RateLimiterMemory({ points: config.emailPerSecond, duration: 1 }) } : {}),
      ...(config.sms ? { SMS: new RateLimiterMemory({ points: config.smsPerSecond, duration: 1 }) } : {}),
    };
  }

  onModuleInit(): void {
    this.jobs.register<PlanJob>(PLAN_QUEUE, (job) => this.plan(job));
    // pg-boss's retries outnumber the attempts: the last attempt dead-letters the row itself.
    this.jobs.register<DeliverJob>(DELIVER_QUEUE, ({ deliveryId }) => this.deliver(deliveryId), {
      retryLimit: this.config.deliveryMaxAttempts + 2,
      retryDelay: this.config.deliveryRetryDelaySeconds,
      retryBackoff: true,
    });
    this.digestTimer = setInterval(() => {
      this.digestCheck = this.planDueDigests().catch((error: unknown) =>
        this.logger.warn({ msg: 'digest check failed, to be tried again', error: error instanceof Error ? error.message : String(error) }),
      );
    }, this.config.digestCheckSeconds * 1000);
    this.digestTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.digestTimer) clearInterval(this.digestTimer);
    await this.digestCheck;
    this.email.close();
  }

  /**
   * In the transaction that stores a send's notifications (before its last statement): its
   * external deliveries are planned once it has committed, if its priority calls for them.
   */
  async enqueueFor(tx: Tx, sendId: string, priority: NotificationPriority): Promise<void> {
    if (!hasExternalChannels(priority)) return;
    // CRITICAL (escalations included): email and SMS at once.
    if (priority === 'CRITICAL') await this.jobs.enqueue(tx, PLAN_QUEUE, { sendId } satisfies PlanJob, { startAfter: new Date() });
    // HIGH: an email to whoever has not read it EMAIL_UNREAD_AFTER_SECONDS later (read in time: none).
    if (priority === 'HIGH') {
      const at = new Date(Date.now() + this.config.emailUnreadAfterSeconds * 1000);
      await this.jobs.enqueue(tx, PLAN_QUEUE, { sendId, unreadOnly: true } satisfies PlanJob, { startAfter: at });
    }
  }

  // ---- jobs --------------------------------------------------------------------------------

  /**
   * One row per recipient and channel (email always; SMS when the user has a phone, except for
   * the HIGH-unread email), and a job each.
   */
  private plan({ sendId, unreadOnly = false }: PlanJob): Promise<void> {
    return this.transactions.run(async (tx) => {
      const planned: NewDelivery[] = [];
      const now = new Date();
      for (const recipient of await this.repository.recipientsOf(tx, sendId, unreadOnly)) {
        const quiet = isQuietTime(recipient.settings, now);
        const reaches = (channel: 'email' | 'sms') => reachesBy(channel, recipient.priority, recipient.switches, quiet);
        const facts = {
          language: recipient.settings.language,
          priority: recipient.priority,
          title: recipient.title,
          message: recipient.message,
          link: this.link(recipient.actionUrl ?? '/notifications'),
          includeContent: this.config.externalChannelsIncludeContent,
        };
        const base = { notificationId: recipient.notificationId, userId: recipient.userId };
        if (reaches('email')) {
          const mail = renderMail(facts);
          planned.push({ ...base, channel: 'EMAIL', address: recipient.email, subject: mail.subject, body: mail.text, html: mail.html });
        }
        if (recipient.phone && !unreadOnly && reaches('sms')) {
          const body = renderSms(facts);
          planned.push({ ...base, channel: 'SMS', address: recipient.phone, subject: body, body, html: null });
        }
      }
      await this.insertAndEnqueue(tx, planned);
    });
  }

  /** New rows only (a plan or digest run twice inserts nothing the second time), each with its job. */
  private async insertAndEnqueue(tx: Tx, planned: readonly NewDelivery[]): Promise<void> {
    const inserted = await this.repository.insertNew(tx, planned);
    await this.jobs.enqueueMany(tx, DELIVER_QUEUE, inserted.map((deliveryId) => ({ deliveryId }) satisfies DeliverJob), { startAfter: new Date() });
  }

  /**
   * Every user whose digest time has come today on their clock (within DIGEST_WINDOW_MINUTES)
   * and who has none for today yet gets one, if anything is unread.
   */
  private async planDueDigests(): Promise<void> {
    const now = new Date();
    const due = (await this.repository.digestSubscribers()).flatMap((subscriber) => {
      const clock = localClock(subscriber.timeZone, now);
      const late = clock.minutes - subscriber.digestMinute;
      return late >= 0 && late < DIGEST_WINDOW_MINUTES ? [{ ...subscriber, day: clock.date }] : [];
    });
    const done = await this.repository.haveDigest(due.map(({ userId, day }) => ({ userId, day })));
    for (const subscriber of due.filter(({ userId }) => !done.has(userId))) {
      await this.transactions.run(async (tx) => {
        const unread = await this.repository.unread(tx, subscriber.userId, DIGEST_MAX_ITEMS);
        if (unread.count === 0) return;
        const mail = renderDigest({
          language: subscriber.language,
          unreadCount: unread.count,
          newest: unread.newest,
          link: this.link('/notifications'),
          includeContent: this.config.externalChannelsIncludeContent,
        });
        await this.insertAndEnqueue(tx, [
          { notificationId: null, digestDay: subscriber.day, userId: subscriber.userId, channel: 'EMAIL', address: subscriber.email, subject: mail.subject, body: mail.text, html: mail.html },
        ]);
      });
    }
  }

  /** An in-app path as a link for mail and SMS; null without PUBLIC_URL. */
  private link(path: string): string | null {
    return this.config.publicUrl ? `${this.config.publicUrl}${path}` : null;
  }

  /** One attempt: sent (or kept in the outbox), or failed and retried later, or dead-lettered after the last. */
  private async deliver(deliveryId: string): Promise<void> {
    const channel = await this.repository.channelOf(deliveryId);
    if (!channel) return;
    // Before the claim: a node stopping while this waits leaves the attempt uncounted.
    await this.waitForTurn(channel);
    const delivery = await this.repository.claimAttempt(deliveryId);
    if (!delivery) return;
    const started = process.hrtime.bigint();
    try {
      const outcome =
        delivery.channel === 'EMAIL'
          ? await this.email.send({ id: delivery.id, to: delivery.address, subject: delivery.subject, text: delivery.body, html: delivery.html })
          : await this.sms.send({ id: delivery.id, to: delivery.address, body: delivery.body });
      await this.repository.markDone(delivery.id, outcome === 'sent' ? 'SENT' : 'OUTBOX');
      this.count(delivery, outcome, started);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = delivery.attempts >= this.config.deliveryMaxAttempts;
      await this.repository.markAttemptFailed(delivery.id, message, dead);
      this.count(delivery, dead ? 'failed' : 'retry', started);
      this.logger.warn({ msg: dead ? 'delivery dead-lettered' : 'delivery attempt failed, to be retried', deliveryId, channel: delivery.channel, attempt: delivery.attempts, error: message });
      // Not dead yet: the job engine retries it after its back-off.
      if (!dead) throw error;
    }
  }

  /**
   * Over the provider's rate, an attempt waits for its turn instead of failing; a node stopping
   * gives the job back (retried on any node) rather than holding its shutdown.
   */
  private async waitForTurn(channel: DeliveryChannel): Promise<void> {
    const limiter = this.limiters[channel];
    if (!limiter) return;
    for (;;) {
      if (this.stopping) throw new Error('node shutting down: the delivery is retried');
      try {
        await limiter.consume('provider');
        return;
      } catch (refusal) {
        const wait = (refusal as { msBeforeNext?: number }).msBeforeNext ?? 100;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private count(delivery: Delivery, outcome: 'sent' | 'outbox' | 'failed' | 'retry', started: bigint): void {
    const channel = delivery.channel.toLowerCase();
    this.metrics.deliveries.inc({ channel, outcome });
    this.metrics.deliveryAttemptSeconds.observe({ channel }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  // ---- admins ------------------------------------------------------------------------------

  async list(query: { status?: WireStatus; cursor?: string; limit: number }): Promise<DeliveryPageDto> {
    const before = query.cursor === undefined ? undefined : parseSeq(query.cursor);
    if (before === null) throw new InvalidInputError('cursor must be the nextCursor of a previous page');
    const rows = await this.repository.page(query.status ? STATUS_OF[query.status] : undefined, before, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const names = await this.repository.names([...new Set(page.map((row) => row.userId))]);
    return { items: page.map((row) => toDto(row, names)), nextCursor: rows.length > query.limit ? page[page.length - 1].seq.toString() : null };
  }

  /** Every delivery to one user, oldest first (their data export). */
  async addressedTo(userId: string): Promise<DeliveryDto[]> {
    const [rows, names] = await Promise.all([this.repository.addressedTo(userId), this.repository.names([userId])]);
    return rows.map((row) => toDto(row, names));
  }

  /** A dead letter goes back to the queue, attempts from zero: 404 unknown, 409 when it is not failed. */
  async retry(id: string): Promise<DeliveryDto> {
    const existing = isUUID(id) ? await this.repository.find(id) : null;
    if (!existing) throw new NotFoundError('Delivery not found');
    const requeued = await this.transactions.run(async (tx) => {
      const row = await this.repository.requeue(tx, id);
      if (row) await this.jobs.enqueue(tx, DELIVER_QUEUE, { deliveryId: id } satisfies DeliverJob, { startAfter: new Date(), id: randomUUID() });
      return row;
    });
    if (!requeued) throw new ConflictError(`This delivery is ${WIRE_STATUS[existing.status]}, not failed: only a failed one can be retried`);
    return toDto(requeued, await this.repository.names([requeued.userId]));
  }
}

function toDto(row: Delivery, names: ReadonlyMap<string, string>): DeliveryDto {
  return {
    id: row.id,
    kind: row.digestDay === null ? 'notification' : 'digest',
    notificationId: row.notificationId,
    channel: row.channel,
    status: WIRE_STATUS[row.status],
    recipient: { id: row.userId, name: names.get(row.userId) ?? 'Deleted user' },
    address: row.address,
    subject: row.subject,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}
