import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import {
  awaitsAcknowledgement,
  BulkAction,
  BulkActionResult,
  MAX_SNOOZE_AHEAD_MS,
  NotificationDto,
  StateChange,
} from '@clinic/contracts';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { TransactionService } from '../common/transaction.service';
import type { Notification } from '../generated/prisma/client';
import { JobsService } from '../jobs/jobs.service';
import { toNotificationDto } from './notification.mapper';
import { NotificationPublisher } from './notification-publisher';
import { NotificationsRepository } from './notifications.repository';
import { Receipts } from './receipts';
import { TriageRepository } from './triage.repository';

/** The durable job that tells the user's devices a snooze has ended. */
export const SNOOZE_END_QUEUE = 'notification-snooze-end';
interface SnoozeEndJob {
  notificationId: string;
  userId: string;
  /** The snooze it ends, ISO: a later snooze of the same notification has a job of its own. */
  until: string;
}

/** What a change did to each of the ids it was asked for. */
interface ChangeOutcome extends Leftovers {
  /** Changed now, as they are now. */
  changed: Notification[];
}

/** The ids a change did not apply to. */
interface Leftovers {
  /** The user's, and already in the asked state. */
  unchanged: Notification[];
  skipped: BulkActionResult['skipped'];
}

/** A change that would take an alert awaiting acknowledgement out of sight. */
const HIDES: ReadonlySet<BulkAction> = new Set<BulkAction>(['archive', 'snooze', 'delete']);

/**
 * Inbox triage (contracts/triage.ts): read, unread, archive, snooze and delete, of one
 * notification or of many at once. Each change is one conditional UPDATE (or DELETE) that counts
 * a version, pushed after it is written to every device of the user (`notification:updated` or
 * `notification:deleted`, then the unread count), so every device shows the same inbox and
 * count. An alert awaiting acknowledgement stays in sight: it cannot be archived, snoozed or
 * deleted (409; skipped in bulk).
 *
 * The end of a snooze needs no write: the notification is in the inbox again because its time
 * has passed, which every list, count and client decides by the clock. A durable job due at that
 * time (enqueued with the snooze, so it exists if and only if the snooze does) tells the user's
 * devices, which show it as new (`notification:reminder`) with the count that now includes it.
 */
@Injectable()
export class TriageService implements OnModuleInit {
  private readonly logger = new Logger(TriageService.name);

  constructor(
    private readonly repository: TriageRepository,
    private readonly notifications: NotificationsRepository,
    private readonly publisher: NotificationPublisher,
    private readonly receipts: Receipts,
    private readonly transactions: TransactionService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register<SnoozeEndJob>(SNOOZE_END_QUEUE, (job) => this.snoozeEnded(job));
  }

  /**
   * One change of one of the user's notifications. Changing it to the state it has changes and
   * pushes nothing. 404 for none of theirs, 409 for hiding an alert awaiting acknowledgement.
   */
  async changeOne(userId: string, id: string, change: StateChange, until?: string): Promise<NotificationDto> {
    const outcome = await this.apply(userId, [id], change, until);
    const notification = outcome.changed[0] ?? outcome.unchanged[0];
    if (notification) return toNotificationDto(notification);
    if (outcome.skipped[0]?.reason === 'awaiting-acknowledgement') throw new ConflictError(`Acknowledge this alert before you ${change} it`);
    throw notFound();
  }

  /** Deletes one of the user's notifications; 404 for none of theirs, 409 for an alert awaiting acknowledgement. */
  async deleteOne(userId: string, id: string): Promise<void> {
    const { deleted, skipped } = await this.delete(userId, [id]);
    if (deleted.length) return;
    if (skipped[0]?.reason === 'awaiting-acknowledgement') throw new ConflictError('Acknowledge this alert before deleting it');
    throw notFound();
  }

  /** One action over many of the user's notifications; what it could not do is in `skipped`. */
  async bulk(userId: string, action: BulkAction, ids: readonly string[], until?: string): Promise<BulkActionResult> {
    const distinct = [...new Set(ids)];
    if (action === 'delete') return { updated: [], ...(await this.delete(userId, distinct)) };
    const { changed, unchanged, skipped } = await this.apply(userId, distinct, action, until);
    return { updated: [...changed, ...unchanged].map(toNotificationDto), deleted: [], skipped };
  }

  private async apply(userId: string, ids: readonly string[], change: StateChange, until: string | undefined): Promise<ChangeOutcome> {
    const snoozeUntil = change === 'snooze' ? snoozeTime(until) : undefined;
    const valid = ids.filter((id) => isUUID(id));
    const changed = !valid.length
      ? []
      : snoozeUntil
        ? await this.transactions.run(async (tx) => {
            const snoozed = await this.repository.change(userId, valid, change, { until: snoozeUntil, tx });
            const job = (notification: Notification): SnoozeEndJob => ({ notificationId: notification.id, userId, until: snoozeUntil.toISOString() });
            await this.jobs.enqueueMany(tx, SNOOZE_END_QUEUE, snoozed.map(job), { startAfter: snoozeUntil });
            return snoozed;
          })
        : await this.repository.change(userId, valid, change);
    const leftovers = await this.leftovers(userId, ids, changed, change);
    if (changed.length) {
      // Receipt counts count reads.
      if (change === 'read' || change === 'unread') this.receipts.sendsChanged(changed.map((notification) => notification.sendId));
      await this.push(userId, changed.map(toNotificationDto), []);
    }
    return { changed, ...leftovers };
  }

  private async delete(userId: string, ids: readonly string[]): Promise<Pick<BulkActionResult, 'deleted' | 'skipped'>> {
    const valid = ids.filter((id) => isUUID(id));
    const deleted = valid.length ? await this.repository.delete(userId, valid) : [];
    const { skipped } = await this.leftovers(userId, ids, deleted, 'delete');
    if (deleted.length) {
      this.receipts.sendsChanged(deleted.map((row) => row.sendId));
      await this.push(userId, [], deleted.map((row) => row.id));
    }
    return { deleted: deleted.map((row) => row.id), skipped };
  }

  /** Sorts the ids a change did not apply to: the user's (already so, or an alert it may not hide) and the rest. */
  private async leftovers(userId: string, ids: readonly string[], done: ReadonlyArray<{ id: string }>, action: BulkAction): Promise<Leftovers> {
    const doneIds = new Set(done.map((row) => row.id));
    const rest = ids.filter((id) => !doneIds.has(id));
    const findable = rest.filter((id) => isUUID(id));
    const found = new Map((findable.length ? await this.repository.findMany(userId, findable) : []).map((row) => [row.id, row]));
    const outcome: Leftovers = { unchanged: [], skipped: [] };
    for (const id of rest) {
      const notification = found.get(id);
      if (!notification) outcome.skipped.push({ id, reason: 'not-found' });
      else if (HIDES.has(action) && awaitsAcknowledgement(toNotificationDto(notification))) outcome.skipped.push({ id, reason: 'awaiting-acknowledgement' });
      else outcome.unchanged.push(notification);
    }
    return outcome;
  }

  /** The change is committed: failing to tell the devices must not fail the request. */
  private async push(userId: string, updated: NotificationDto[], deleted: string[]): Promise<void> {
    try {
      this.publisher.changed(userId, updated, deleted, await this.notifications.unreadCount(userId));
    } catch (error) {
      this.logger.error(`could not publish a change: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async snoozeEnded({ notificationId, userId, until }: SnoozeEndJob): Promise<void> {
    const notification = await this.repository.findSnoozedUntil(userId, notificationId, new Date(until));
    if (!notification) return;
    this.publisher.reminded(userId, toNotificationDto(notification), await this.notifications.unreadCount(userId));
  }
}

/** `until` as a snooze's end: after now, at most MAX_SNOOZE_AHEAD_MS ahead (400 otherwise). */
function snoozeTime(until: string | undefined): Date {
  const at = typeof until === 'string' ? new Date(until) : new Date(NaN);
  const now = Date.now();
  if (Number.isNaN(at.getTime())) throw new InvalidInputError('until must be an ISO date and time');
  if (at.getTime() <= now) throw new InvalidInputError('until must lie in the future');
  if (at.getTime() > now + MAX_SNOOZE_AHEAD_MS) throw new InvalidInputError('until must lie at most 30 days ahead');
  return at;
}

/** Someone else's notification is indistinguishable from one that does not exist. */
function notFound(): NotFoundError {
  return new NotFoundError('Notification not found');
}
