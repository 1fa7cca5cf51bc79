import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import {
  isMuted,
  NOTIFICATION_TYPES,
  NotificationDto,
  NotificationPageDto,
  NotificationPreferenceDto,
  NotificationTarget,
  SendNotificationRequest,
  SendNotificationResult,
} from '@clinic/contracts';
import type { AuditRecord } from '../audit/audit-record';
import { AuditService } from '../audit/audit.service';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import { IdempotencyService, IdempotentResult } from '../common/idempotency.service';
import { AfterCommit, Tx } from '../common/transaction.service';
import { MetricsService } from '../metrics/metrics.service';
import { toNewNotificationPayload, toNotificationDto } from './notification.mapper';
import { NotificationPublisher } from './notification-publisher';
import { NotificationContent, renderMessage } from './notification-templates';
import { CreatedNotification, NotificationsRepository } from './notifications.repository';

export const SEND_ROUTE = 'POST /api/notifications/test';

export interface ListOptions {
  /** Only notifications older than this seq (the previous page's `nextCursor`). */
  before?: bigint;
  limit: number;
  unreadOnly: boolean;
}

/**
 * The rules of notifications: who receives a send, retries with an Idempotency-Key, what a
 * muted type means, and that every change is pushed to the user's devices through the
 * publisher only after it is committed. Counts always come from the database. What a
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
    private readonly idempotency: IdempotencyService,
    private readonly publisher: NotificationPublisher,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
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
  async createInTransaction(tx: Tx, afterCommit: AfterCommit, recipientIds: readonly string[], content: NotificationContent): Promise<number> {
    const userIds = [...new Set(recipientIds)];
    if (userIds.length === 0) return 0;
    const created = await this.repository.insertInTransaction(tx, userIds, content);
    afterCommit(() => this.published(created));
    return created.length;
  }

  /**
   * An admin's notification to one user, a team's active members, a role or everyone, recorded
   * in the audit log (without its content); safe to retry with an Idempotency-Key. The sender
   * receives it too when they are among the recipients: they chose them.
   */
  async send(senderId: string, request: SendNotificationRequest, idempotencyKey: string | null): Promise<IdempotentResult<SendNotificationResult>> {
    const { target } = request;
    const content = renderMessage({ ...request, type: request.type ?? 'GENERAL' });
    const audited = (recipients: number): AuditRecord => ({
      actorId: senderId,
      action: 'notification.sent',
      target: auditTarget(target),
      details: { type: content.type, priority: content.priority, recipients },
    });
    if (idempotencyKey === null && 'userId' in target) {
      // The hot path: one statement, atomic on its own, so no interactive transaction.
      const created = await this.repository.insertNow(target.userId, content, this.audit.row(audited(1)));
      if (created.length === 0) throw unknownTargetUser();
      this.published(created);
      return { statusCode: HttpStatus.CREATED, body: { created: 1 }, replayed: false };
    }
    return this.idempotency.execute<SendNotificationResult>(
      { userId: senderId, route: SEND_ROUTE, key: idempotencyKey, body: request },
      HttpStatus.CREATED,
      async (tx, afterCommit, remember) => {
        // One user: no lookup of its own; the insert skips an unknown id and the check below
        // rolls the transaction back. A deactivated account receives nothing from a broadcast.
        const recipients = await this.recipientsOf(tx, target);
        const result = { created: recipients.length };
        await remember(result);
        await this.audit.record(tx, audited(recipients.length));
        const created = await this.createInTransaction(tx, afterCommit, recipients, content);
        if (created < recipients.length) throw unknownTargetUser();
        return result;
      },
    );
  }

  // ---- reading ---------------------------------------------------------------------------

  /** The user's notifications, newest (highest seq) first. */
  async list(userId: string, options: ListOptions): Promise<NotificationPageDto> {
    const rows = await this.repository.page(userId, { before: options.before, unreadOnly: options.unreadOnly, take: options.limit + 1 });
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toNotificationDto),
      nextCursor: rows.length > options.limit ? page[page.length - 1].seq.toString() : null,
    };
  }

  unreadCount(userId: string): Promise<number> {
    return this.repository.unreadCount(userId);
  }

  async preferences(userId: string): Promise<NotificationPreferenceDto[]> {
    const mutedTypes = await this.repository.mutedTypes(userId);
    return NOTIFICATION_TYPES.map((type) => ({ type, muted: mutedTypes.has(type) }));
  }

  // ---- changing --------------------------------------------------------------------------

  /** Marks one of the user's notifications read (once: a second call changes and pushes nothing). */
  async markRead(userId: string, id: string): Promise<NotificationDto> {
    if (!isUUID(id)) throw notFound();
    const updated = await this.repository.markRead(userId, id);
    if (updated) {
      const notification = toNotificationDto(updated);
      await this.publishSafely(async () => this.publisher.updated(userId, notification, await this.unreadCount(userId)));
      return notification;
    }
    const existing = await this.repository.find(userId, id);
    if (!existing) throw notFound();
    return toNotificationDto(existing);
  }

  async markAllRead(userId: string): Promise<number> {
    const count = await this.repository.markAllRead(userId);
    if (count > 0) await this.publishSafely(async () => this.publisher.refreshed(userId, await this.unreadCount(userId)));
    return count;
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!isUUID(id) || !(await this.repository.delete(userId, id))) throw notFound();
    await this.publishSafely(async () => this.publisher.deleted(userId, id, await this.unreadCount(userId)));
  }

  /** Changes the listed types; the others keep their setting. */
  async updatePreferences(userId: string, changes: NotificationPreferenceDto[]): Promise<NotificationPreferenceDto[]> {
    await this.repository.updatePreferences(userId, changes);
    return this.preferences(userId);
  }

  // ---- internals -------------------------------------------------------------------------

  private async recipientsOf(tx: Tx, target: NotificationTarget): Promise<string[]> {
    if ('userId' in target) return [target.userId];
    if ('teamId' in target) {
      const members = await this.repository.activeMemberIds(tx, target.teamId);
      if (!members) throw new InvalidInputError('target.teamId does not name an existing team');
      return members;
    }
    return this.repository.activeUserIds(tx, target);
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

function auditTarget(target: NotificationTarget): NonNullable<AuditRecord['target']> {
  if ('userId' in target) return { type: 'user', id: target.userId };
  if ('teamId' in target) return { type: 'team', id: target.teamId };
  if ('role' in target) return { type: 'role', id: target.role };
  return { type: 'all', id: null };
}

function unknownTargetUser(): InvalidInputError {
  return new InvalidInputError('target.userId does not name an existing user');
}

/**
 * Someone else's notification is indistinguishable from one that does not exist; so is an id that
 * cannot be one (checked before the query: PostgreSQL refuses some strings, such as one with NUL).
 */
function notFound(): NotFoundError {
  return new NotFoundError('Notification not found');
}
