import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { DeliveryDto, DeliveryPageDto, DeliveryStatus as WireStatus, NotificationPriority } from '@clinic/contracts';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { TransactionService, Tx } from '../common/transaction.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { DeliveryChannel } from '../generated/prisma/client';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from '../metrics/metrics.service';
import { parseSeq } from '../notifications/seq';
import { renderMail, renderSms } from './delivery-templates';
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
 *   read it after EMAIL_UNREAD_AFTER_SECONDS; others in-app only.
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
  private readonly email: EmailProvider;
  private readonly sms: SmsProvider;
  private readonly limiters: Record<DeliveryChannel, RateLimiterMemory>;

  constructor(
    private readonly repository: DeliveriesRepository,
    private readonly transactions: TransactionService,
    private readonly jobs: JobsService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.email = config.smtpUrl ? new SmtpEmailProvider(config.smtpUrl, config.mailFrom) : new OutboxEmailProvider();
    this.sms = config.sms ? new HttpSmsProvider(config.sms) : new LoggingSmsProvider();
    this.limiters = {
      EMAIL: new RateLimiterMemory({ points: config.emailPerSecond, duration: 1 }),
      SMS: new RateLimiterMemory({ points: config.smsPerSecond, duration: 1 }),
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
  }

  onModuleDestroy(): void {
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
      for (const recipient of await this.repository.recipientsOf(tx, sendId, unreadOnly)) {
        const facts = {
          priority: recipient.priority,
          title: recipient.title,
          message: recipient.message,
          link: this.config.publicUrl ? `${this.config.publicUrl}${recipient.actionUrl ?? '/notifications'}` : null,
          includeContent: this.config.externalChannelsIncludeContent,
        };
        const mail = renderMail(facts);
        const base = { notificationId: recipient.notificationId, userId: recipient.userId };
        planned.push({ ...base, channel: 'EMAIL', address: recipient.email, subject: mail.subject, body: mail.text, html: mail.html });
        if (recipient.phone && !unreadOnly) {
          const body = renderSms(facts);
          planned.push({ ...base, channel: 'SMS', address: recipient.phone, subject: body, body, html: null });
        }
      }
      // A plan run twice (its node died after committing) inserts nothing the second time.
      for (const deliveryId of await this.repository.insertNew(tx, planned)) {
        await this.jobs.enqueue(tx, DELIVER_QUEUE, { deliveryId } satisfies DeliverJob, { startAfter: new Date() });
      }
    });
  }

  /** One attempt: sent (or kept in the outbox), or failed and retried later, or dead-lettered after the last. */
  private async deliver(deliveryId: string): Promise<void> {
    const delivery = await this.repository.claimAttempt(deliveryId);
    if (!delivery) return;
    const started = process.hrtime.bigint();
    try {
      await this.waitForTurn(delivery.channel);
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

  /** Over the provider's rate, an attempt waits for its turn instead of failing. */
  private async waitForTurn(channel: DeliveryChannel): Promise<void> {
    for (;;) {
      try {
        await this.limiters[channel].consume('provider');
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
