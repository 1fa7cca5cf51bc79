import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import {
  AlertSettingsDto,
  DEFAULT_LANGUAGE,
  EscalationTarget,
  MAX_LISTED_RECIPIENTS,
  MAX_SCHEDULE_AHEAD_MS,
  NotificationTarget,
  requiresAck,
  SendDetailDto,
  SendNotificationRequest,
  SendNotificationResult,
  SendPageDto,
  SendStatus,
  SendSummaryDto,
  SendTargetDto,
} from '@clinic/contracts';
import type { AuditRecord } from '../audit/audit-record';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { IdempotencyService, IdempotentResult } from '../common/idempotency.service';
import { TransactionService, Tx } from '../common/transaction.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { hasExternalChannels } from '../channels/deliveries.service';
import { JobsService } from '../jobs/jobs.service';
import { inEveryLanguage, LocalizedContent, MessageEvent, renderMessage } from '../notifications/notification-templates';
import type { SendRecord, SendTargetKind } from '../notifications/notifications.repository';
import { NotificationsService } from '../notifications/notifications.service';
import { parseSeq } from '../notifications/seq';
import { EscalationService } from './escalation.service';
import { targetLabel, targetRecord } from './send-targets';
import { messageOf, recordOf, Send, SendsRepository } from './sends.repository';

export const SEND_ROUTE = 'POST /api/notifications/test';
/** Scheduled sends go out from this queue at their `sendAt`. */
const DELIVER_QUEUE = 'send-deliver';

interface DeliverJob {
  sendId: string;
}

/**
 * Sends: who receives an admin's notification and when (now or at `sendAt`), that it must be
 * acknowledged and escalates (EscalationService), and what admins and senders read about sends
 * afterwards. The notifications themselves are written by NotificationsService, in the same
 * statement as the send's row.
 */
@Injectable()
export class SendsService implements OnModuleInit {
  private readonly logger = new Logger(SendsService.name);

  constructor(
    private readonly repository: SendsRepository,
    private readonly notifications: NotificationsService,
    private readonly escalations: EscalationService,
    private readonly idempotency: IdempotencyService,
    private readonly transactions: TransactionService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register<DeliverJob>(DELIVER_QUEUE, ({ sendId }) => this.deliverScheduled(sendId));
  }

  // ---- sending -----------------------------------------------------------------------------

  /**
   * An admin's notification to one user, a team's active members, a role or everyone, now or at
   * `sendAt`; recorded in the audit log (without its content); safe to retry with an
   * Idempotency-Key. The sender receives it too when they are among the recipients: they chose them.
   */
  async send(senderId: string, request: SendNotificationRequest, idempotencyKey: string | null): Promise<IdempotentResult<SendNotificationResult>> {
    const { target } = request;
    const content = localizedMessage({ ...request, type: request.type ?? 'GENERAL' });
    const { type, title, message, priority, actionUrl } = content[DEFAULT_LANGUAGE];
    const escalation = this.escalations.plan(priority, request.escalation);
    const sendAt = request.sendAt === undefined ? null : parseSendAt(request.sendAt);
    const record: SendRecord = {
      id: randomUUID(),
      senderId,
      target: targetRecord(target),
      requireAck: requiresAck(priority, request.requireAck) || escalation !== null,
      escalation,
      escalationOf: null,
    };
    const audited = (recipients: number): AuditRecord => ({
      actorId: senderId,
      action: sendAt ? 'notification.scheduled' : 'notification.sent',
      target: auditTarget(target),
      details: { sendId: record.id, type, priority, recipients, ...(sendAt ? { sendAt: sendAt.toISOString() } : {}) },
    });
    const result = (created: number): SendNotificationResult => ({
      sendId: record.id,
      created,
      status: sendAt ? 'scheduled' : 'sent',
      sendAt: sendAt?.toISOString() ?? null,
    });

    if (idempotencyKey === null && 'userId' in target && !escalation && !sendAt && !hasExternalChannels(priority)) {
      // The hot path: one statement, atomic on its own, so no interactive transaction (a job to
      // enqueue with it, an escalation or an email, needs one).
      if (!(await this.notifications.createNow(target.userId, content, record, audited(1)))) throw unknownTargetUser();
      return { statusCode: HttpStatus.CREATED, body: result(1), replayed: false };
    }
    return this.idempotency.execute<SendNotificationResult>(
      { userId: senderId, route: SEND_ROUTE, key: idempotencyKey, body: request },
      HttpStatus.CREATED,
      async (tx, afterCommit, remember) => {
        if (sendAt) {
          // Checked here, not before: a retry of a send whose time has come since is answered
          // with its stored result instead.
          checkScheduleWindow(sendAt);
          if ('userId' in target && !(await this.repository.isActiveUser(tx, target.userId))) throw unknownTargetUser();
          if ('teamId' in target && !(await this.repository.activeMemberIds(tx, target.teamId))) throw unknownTeam();
          if (escalation) await this.escalations.checkTarget(tx, escalation);
          await this.repository.createScheduled(tx, record, { type, title, message, priority, actionUrl, actionText: request.actionText ?? null }, sendAt);
          // The job's id is the send's, so a cancellation can withdraw it.
          await this.jobs.enqueue(tx, DELIVER_QUEUE, { sendId: record.id } satisfies DeliverJob, { startAfter: sendAt, id: record.id });
          await this.audit.record(tx, audited(0));
          await remember(result(0));
          return result(0);
        }
        // One user: no lookup of its own; the insert skips an unknown id and the check below
        // rolls the transaction back. A deactivated account receives nothing from a broadcast.
        const recipients = await this.recipientsOf(tx, target);
        await remember(result(recipients.length));
        if (escalation) {
          await this.escalations.checkTarget(tx, escalation);
          await this.escalations.scheduleFirst(tx, record.id, escalation.afterSeconds, new Date());
        }
        const created = await this.notifications.createInTransaction(tx, afterCommit, { recipients, content, send: record, audit: audited(recipients.length) });
        if (created < recipients.length) throw unknownTargetUser();
        return result(created);
      },
    );
  }

  /** A scheduled send's time has come: it goes out once, whichever node runs the job, however often. */
  private deliverScheduled(sendId: string): Promise<void> {
    return this.transactions.run(async (tx, afterCommit) => {
      const now = new Date();
      const send = await this.repository.claimScheduled(tx, sendId, now);
      if (!send) return;
      const record = recordOf(send);
      const target = targetOf(send);
      // A user deactivated or a team deleted meanwhile: the send goes out to nobody, visibly (0 recipients).
      const recipients =
        'userId' in target
          ? (await this.repository.isActiveUser(tx, target.userId)) ? [target.userId] : []
          : await this.recipientsOf(tx, target).catch((error: unknown) => {
              if (error instanceof InvalidInputError) return [];
              throw error;
            });
      if (record.escalation) await this.escalations.scheduleFirst(tx, send.id, record.escalation.afterSeconds, now);
      await this.notifications.createInTransaction(tx, afterCommit, {
        recipients,
        content: localizedMessage(messageOf(send)),
        send: record,
        audit: {
          actorId: send.senderId,
          action: 'notification.sent',
          target: auditTarget(target),
          details: { sendId: send.id, type: send.type, priority: send.priority, recipients: recipients.length, scheduledFor: send.sendAt?.toISOString() ?? null },
        },
      });
    });
  }

  /** Cancels a scheduled send that has not gone out: 404 when there is none, 409 when it went out or was cancelled. */
  async cancel(actor: AuthUser, sendId: string): Promise<void> {
    const send = isUUID(sendId) ? await this.repository.find(sendId) : null;
    if (!send) throw sendNotFound();
    const cancelled = await this.transactions.run(async (tx) => {
      const done = await this.repository.cancelScheduled(tx, sendId, new Date());
      if (done) await this.audit.record(tx, { actorId: actor.id, action: 'send.cancelled', target: { type: 'send', id: sendId } });
      return done;
    });
    if (!cancelled) throw new ConflictError(send.status === 'CANCELLED' ? 'This send was already cancelled' : 'This send has already gone out');
    // Tidiness only: the job would find the send cancelled and do nothing.
    await this.jobs.cancel(DELIVER_QUEUE, sendId).catch((error: Error) => this.logger.warn(`could not withdraw the job of cancelled send ${sendId}: ${error.message}`));
  }

  /** Who a target names now. An unknown team is refused (400); an unknown user is skipped by the insert. */
  async recipientsOf(tx: Tx, target: NotificationTarget | EscalationTarget): Promise<string[]> {
    if ('userId' in target) return [target.userId];
    if ('teamId' in target) {
      const members = await this.repository.activeMemberIds(tx, target.teamId);
      if (!members) throw unknownTeam();
      return members;
    }
    return this.repository.activeUserIds(tx, 'role' in target ? target.role : null);
  }

  // ---- reading -----------------------------------------------------------------------------

  settings(): AlertSettingsDto {
    const { criticalEscalateAfterSeconds, escalationMinSeconds, escalationMaxSteps } = this.config;
    return { criticalEscalateAfterSeconds, escalationMinSeconds, escalationMaxSteps };
  }

  async list(query: { status?: SendStatus; cursor?: string; limit: number }): Promise<SendPageDto> {
    const before = query.cursor === undefined ? undefined : parseSeq(query.cursor);
    if (before === null) throw new InvalidInputError('cursor must be the nextCursor of a previous page');
    const rows = await this.repository.page({ status: query.status, before, take: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    return { items: await this.summaries(page), nextCursor: rows.length > query.limit ? page[page.length - 1].seq.toString() : null };
  }

  /**
   * One send with its recipients' receipts: for admins, the sender, and those who received one
   * of its escalations (the escalation links here). Anyone else: 404, as for a send that does
   * not exist.
   */
  async detail(viewer: AuthUser, sendId: string): Promise<SendDetailDto> {
    const send = isUUID(sendId) ? await this.repository.find(sendId) : null;
    if (!send) throw sendNotFound();
    if (!(await this.mayView(viewer, send))) throw sendNotFound();
    const [summary] = await this.summaries([send]);
    const [recipients, steps] = await Promise.all([this.repository.recipients(send.id, MAX_LISTED_RECIPIENTS), this.repository.escalationSteps(send.id)]);
    return {
      ...summary,
      message: send.message,
      recipients,
      escalations: steps.map((step) => ({ step: step.escalationStep ?? 0, sendId: step.id, at: step.createdAt.toISOString(), recipients: step.recipients })),
    };
  }

  /**
   * Admins; the sender and those who received one of its escalations. An order's notifications
   * speak of a patient: whoever no longer sees the order (moved to another team) no longer sees
   * its sends either.
   */
  private async mayView(viewer: AuthUser, send: Send): Promise<boolean> {
    if (viewer.role === 'ADMIN') return true;
    const concerned = send.senderId === viewer.id || (await this.repository.receivedEscalationOf(viewer.id, send.id));
    if (!concerned) return false;
    return send.targetKind !== 'order' || !send.targetId || this.repository.orderVisibleTo(viewer, send.targetId);
  }

  private async summaries(sends: readonly Send[]): Promise<SendSummaryDto[]> {
    const ids = (kind: SendTargetKind) =>
      sends.flatMap((send) => [
        ...(send.targetKind === kind && send.targetId ? [send.targetId] : []),
        ...(send.escalateToKind === kind && send.escalateToId ? [send.escalateToId] : []),
      ]);
    const senderIds = sends.flatMap((send) => (send.senderId ? [send.senderId] : []));
    const [names, counts] = await Promise.all([
      this.repository.names([...new Set([...ids('user'), ...senderIds])], [...new Set(ids('team'))], [...new Set(ids('order'))]),
      this.notifications.sendCounts(sends.map((send) => send.id)),
    ]);
    // The send pages are not localized yet: their labels are in the default language.
    const label = (kind: SendTargetKind, id: string | null): SendTargetDto => ({ kind, id, label: targetLabel(kind, id, names, DEFAULT_LANGUAGE) });
    return sends.map((send) => ({
      id: send.id,
      sender: send.senderId ? { id: send.senderId, name: names.get(send.senderId) ?? 'Deleted user' } : null,
      type: send.type,
      priority: send.priority,
      title: send.title,
      target: label(send.targetKind as SendTargetKind, send.targetId),
      requireAck: send.requireAck,
      status: STATUS_NAMES[send.status],
      sendAt: send.sendAt?.toISOString() ?? null,
      createdAt: send.createdAt.toISOString(),
      sentAt: send.sentAt?.toISOString() ?? null,
      acknowledgedAt: send.acknowledgedAt?.toISOString() ?? null,
      escalation:
        send.escalateAfterSeconds !== null && send.escalateToKind !== null
          ? {
              afterSeconds: send.escalateAfterSeconds,
              to: label(send.escalateToKind as SendTargetKind, send.escalateToId),
              stepsDone: send.escalationStepsDone,
              maxSteps: this.config.escalationMaxSteps,
            }
          : null,
      escalationOf: send.escalationOf,
      counts: counts.get(send.id) ?? { recipients: send.recipients, delivered: 0, seen: 0, read: 0, acknowledged: 0 },
    }));
  }
}

const STATUS_NAMES: Readonly<Record<Send['status'], SendStatus>> = { SCHEDULED: 'scheduled', SENT: 'sent', CANCELLED: 'cancelled' };

/** `sendAt` as a time; it must say its offset (`Z`, `+01:00`): the server's own time zone is nobody's. */
function parseSendAt(sendAt: string): Date {
  const at = new Date(sendAt);
  if (Number.isNaN(at.getTime()) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(sendAt)) {
    throw new InvalidInputError('sendAt must be an ISO 8601 date and time with its offset, e.g. 2026-12-01T09:00:00Z');
  }
  return at;
}

/** In the future and at most MAX_SCHEDULE_AHEAD_MS ahead. */
function checkScheduleWindow(at: Date): void {
  const ahead = at.getTime() - Date.now();
  if (ahead <= 0) throw new InvalidInputError('sendAt must be in the future');
  if (ahead > MAX_SCHEDULE_AHEAD_MS) throw new InvalidInputError('sendAt must be at most 30 days ahead');
}

/** The target a stored send was addressed to; a row naming none it could be is refused, never widened to everyone. */
function targetOf(send: Send): NotificationTarget {
  if (send.targetKind === 'user' && send.targetId) return { userId: send.targetId };
  if (send.targetKind === 'team' && send.targetId) return { teamId: send.targetId };
  if (send.targetKind === 'role' && (send.targetId === 'STAFF' || send.targetId === 'ADMIN')) return { role: send.targetId };
  if (send.targetKind === 'all') return { all: true };
  throw new Error(`send ${send.id} has no target a scheduled send can have (${send.targetKind} ${send.targetId})`);
}

function auditTarget(target: NotificationTarget): NonNullable<AuditRecord['target']> {
  const { kind, id } = targetRecord(target);
  return { type: kind === 'order' ? 'order' : kind, id };
}

function unknownTargetUser(): InvalidInputError {
  return new InvalidInputError('target.userId does not name an existing user');
}

function unknownTeam(): InvalidInputError {
  return new InvalidInputError('target.teamId does not name an existing team');
}

function sendNotFound(): NotFoundError {
  return new NotFoundError('Send not found');
}

/** An admin's message in every language: their own words, the default link label in each recipient's. */
function localizedMessage(message: MessageEvent): LocalizedContent {
  return inEveryLanguage((language) => renderMessage(message, language));
}
