import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DEFAULT_LANGUAGE, isMuted, NotificationDto, NotificationFilter, NotificationPageDto, SendCounts } from '@clinic/contracts';
import type { AuditRecord } from '../audit/audit-record';
import { AuditService } from '../audit/audit.service';
import { DeliveriesService } from '../channels/deliveries.service';
import { NotFoundError } from '../common/domain-errors';
import { AfterCommit, Tx } from '../common/transaction.service';
import type { Notification } from '../generated/prisma/client';
import { MetricsService } from '../metrics/metrics.service';
import { toNewNotificationPayload, toNotificationDto } from './notification.mapper';
import { NotificationPublisher } from './notification-publisher';
import type { LocalizedContent } from './notification-templates';
import { CreatedNotification, NotificationsRepository, SendRecord } from './notifications.repository';
import { Receipts } from './receipts';

/** One send's notifications, written as the last statement of a transaction. */
export interface NotificationWrite {
  recipients: readonly string[];
  /** Each recipient is written the version in their own language. */
  content: LocalizedContent;
  send: SendRecord;
  /** The send's audit entry, written in the same statement. */
  audit?: AuditRecord;
}

export interface ListOptions {
  /** Only notifications older than this seq (the previous page's `nextCursor`). */
  before?: bigint;
  limit: number;
  filter: NotificationFilter;
}

/**
 * The rules of notifications: writing a send's notifications, their receipts and
 * acknowledgement, what a muted type means, and that every change is pushed to the user's
 * devices through the publisher only after it is committed. Who receives a send and when is
 * SendsService's (alerts/). Counts always come from the database. What a
 * reconnecting device missed is CatchUpService's; the SQL is NotificationsRepository's.
 *
 * Preferences: a muted type is still stored, listed, counted in the unread badge and pushed as
 * `notification:new` to every device (so every device shows the same list), with `muted: true`
 * so the client shows no toast or desktop notification (the rule is the contract's isMuted).
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly publisher: NotificationPublisher,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly receipts: Receipts,
    private readonly deliveries: DeliveriesService,
  ) {}

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
   * thousands of users it is several times faster than `createManyAndReturn` (which sends every
   * value of every row as a bind parameter, in several statements), and that time is spent
   * holding the locks above (figures in docs/performance.md).
   *
   * The same statement reads each recipient's previous seq (one index probe per recipient; the
   * statement does not see its own rows) for `prevSeq`: under the lock nothing can slip in
   * between, so a client holding that previous seq knows it misses nothing up to the new one.
   */
  async createInTransaction(tx: Tx, afterCommit: AfterCommit, write: NotificationWrite): Promise<number> {
    const userIds = [...new Set(write.recipients)];
    const audit = write.audit ? this.audit.row(write.audit) : null;
    // Before the insert, which must stay the last statement (it holds the recipients' locks).
    await this.deliveries.enqueueFor(tx, write.send.id, write.content[DEFAULT_LANGUAGE].priority);
    const created = await this.repository.insertInTransaction(tx, userIds, write.content, write.send, audit);
    afterCommit(() => this.published(created));
    return created.length;
  }

  /**
   * A send to one named user with its audit entry, as one statement and its own transaction (the
   * hot path: no interactive transaction). False when no such user exists: nothing was written.
   */
  async createNow(userId: string, content: LocalizedContent, send: SendRecord, audit: AuditRecord): Promise<boolean> {
    const created = await this.repository.insertNow(userId, content, send, this.audit.row(audit));
    this.published(created);
    return created.length > 0;
  }

  // ---- reading ---------------------------------------------------------------------------

  /** The user's notifications, newest (highest seq) first. */
  async list(userId: string, options: ListOptions): Promise<NotificationPageDto> {
    const rows = await this.repository.page(userId, { before: options.before, filter: options.filter, take: options.limit + 1 });
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toNotificationDto),
      nextCursor: rows.length > options.limit ? page[page.length - 1].seq.toString() : null,
    };
  }

  unreadCount(userId: string): Promise<number> {
    return this.repository.unreadCount(userId);
  }

  /** Receipt counts of these sends (those that exist), by send. */
  async sendCounts(sendIds: readonly string[]): Promise<Map<string, SendCounts>> {
    const rows = sendIds.length ? await this.repository.sendCounts(sendIds) : [];
    return new Map(rows.map(({ sendId, senderId: _senderId, ...counts }) => [sendId, counts]));
  }

  // ---- changing --------------------------------------------------------------------------

  /**
   * Acknowledges one of the user's notifications, marking it read too; the first acknowledgement
   * of a send stops its escalation (see NotificationsRepository.acknowledge). Once: a second call
   * changes and pushes nothing.
   */
  acknowledge(userId: string, id: string): Promise<NotificationDto> {
    return this.changeOne(userId, id, () => this.repository.acknowledge(userId, id, new Date(), this.audit.node));
  }

  async markAllRead(userId: string): Promise<number> {
    const sendIds = await this.repository.markAllRead(userId);
    if (sendIds.length > 0) {
      this.receipts.sendsChanged(sendIds);
      await this.publishSafely(async () => this.publisher.refreshed(userId, await this.unreadCount(userId)));
    }
    return sendIds.length;
  }

  /** Receipts from the user's devices: they received these notifications, or showed them. Others' ids are ignored. */
  recordDelivered(userId: string, ids: readonly string[]): Promise<number> {
    return this.receipts.delivered(userId, ids.filter((id) => isUUID(id)));
  }

  recordSeen(userId: string, ids: readonly string[]): Promise<number> {
    return this.receipts.seen(userId, ids.filter((id) => isUUID(id)));
  }

  // ---- internals -------------------------------------------------------------------------

  /**
   * A change to one of the user's notifications: pushed to every device of the user with the new
   * unread count, and to the send's counts. When it changed nothing (done before), the
   * notification as it is; 404 when the user has none with that id.
   */
  private async changeOne(userId: string, id: string, change: () => Promise<Notification | null>): Promise<NotificationDto> {
    if (!isUUID(id)) throw notFound();
    const updated = await change();
    if (updated) {
      const notification = toNotificationDto(updated);
      this.receipts.sendsChanged([updated.sendId]);
      await this.publishSafely(async () => this.publisher.changed(userId, [notification], [], await this.unreadCount(userId)));
      return notification;
    }
    const existing = await this.repository.find(userId, id);
    if (!existing) throw notFound();
    return toNotificationDto(existing);
  }

  /** Counts and pushes committed notifications. Recipients are distinct: one row per user. */
  private published(created: CreatedNotification[]): void {
    if (created.length) this.metrics.notificationsCreated.inc({ type: created[0].type }, created.length);
    for (const { prevSeq, unreadCount, typeMuted, ...notification } of created) {
      const payload = toNewNotificationPayload(notification, isMuted(typeMuted, notification.priority), prevSeq);
      this.publisher.created(notification.userId, [payload], unreadCount);
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

/**
 * Someone else's notification is indistinguishable from one that does not exist; so is an id that
 * cannot be one (checked before the query: PostgreSQL refuses some strings, such as one with NUL).
 */
function notFound(): NotFoundError {
  return new NotFoundError('Notification not found');
}
