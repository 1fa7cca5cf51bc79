import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EscalationRequest, NotificationPriority } from '@clinic/contracts';
import { InvalidInputError } from '../common/domain-errors';
import { TransactionService, Tx } from '../common/transaction.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from '../metrics/metrics.service';
import { inEveryLanguage, renderEscalation } from '../notifications/notification-templates';
import type { SendRecord, SendTargetKind } from '../notifications/notifications.repository';
import { NotificationsService } from '../notifications/notifications.service';
import { targetLabel, targetRecord } from './send-targets';
import { Send, SendsRepository } from './sends.repository';

/** Escalation steps fire from this queue. */
const ESCALATE_QUEUE = 'send-escalate';

interface EscalateJob {
  sendId: string;
  step: number;
}

/**
 * Escalation of sends nobody acknowledges. Step 1 is enqueued in the transaction that stores the
 * send (or, for a scheduled send, the one that sends it out), due `afterSeconds` after it went
 * out; each step that fires enqueues the next in its own transaction, up to ESCALATION_MAX_STEPS.
 *
 * Exactly once per step, across nodes, restarts and retries: a step claims itself with a
 * conditional UPDATE of the send's row (`escalationStepsDone` from step - 1 to step, only while
 * `acknowledgedAt` is null) in the transaction that writes the escalation's notifications. A job
 * run twice, or by two nodes, finds the claim taken and does nothing; an acknowledgement sets
 * `acknowledgedAt` on the same row, so it and a step serialize, and every step after the first
 * acknowledgement does nothing: that is the cancellation (the job stays queued and ends as a no-op).
 */
@Injectable()
export class EscalationService implements OnModuleInit {
  private readonly logger = new Logger(EscalationService.name);

  constructor(
    private readonly repository: SendsRepository,
    private readonly notifications: NotificationsService,
    private readonly transactions: TransactionService,
    private readonly jobs: JobsService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register<EscalateJob>(ESCALATE_QUEUE, (job) => this.fire(job));
  }

  /**
   * The escalation a send gets: the one asked for (at least ESCALATION_MIN_SECONDS), else for a
   * CRITICAL send the admins after CRITICAL_ESCALATE_AFTER_SECONDS, else none.
   */
  plan(priority: NotificationPriority, requested: EscalationRequest | undefined): SendRecord['escalation'] {
    if (requested) {
      if (requested.afterSeconds < this.config.escalationMinSeconds) {
        throw new InvalidInputError(`escalation.afterSeconds must be at least ${this.config.escalationMinSeconds}`);
      }
      return { afterSeconds: requested.afterSeconds, to: targetRecord(requested.to) };
    }
    if (priority !== 'CRITICAL') return null;
    return { afterSeconds: this.config.criticalEscalateAfterSeconds, to: { kind: 'role', id: 'ADMIN' } };
  }

  /** Refuses (400) an escalation to a user or team that does not exist. */
  async checkTarget(tx: Tx, escalation: NonNullable<SendRecord['escalation']>): Promise<void> {
    const { kind, id } = escalation.to;
    if (kind === 'user' && !(id && (await this.repository.isActiveUser(tx, id)))) {
      throw new InvalidInputError('escalation.to.userId does not name an active user');
    }
    if (kind === 'team' && !(id && (await this.repository.activeMemberIds(tx, id)))) {
      throw new InvalidInputError('escalation.to.teamId does not name an existing team');
    }
  }

  /** Enqueues step 1 in the transaction that sends the send out at `sentAt`. */
  scheduleFirst(tx: Tx, sendId: string, afterSeconds: number, sentAt: Date): Promise<void> {
    return this.schedule(tx, { sendId, step: 1 }, new Date(sentAt.getTime() + afterSeconds * 1000));
  }

  private schedule(tx: Tx, job: EscalateJob, at: Date): Promise<void> {
    return this.jobs.enqueue(tx, ESCALATE_QUEUE, job, { startAfter: at, id: randomUUID() });
  }

  private async fire({ sendId, step }: EscalateJob): Promise<void> {
    const fired = await this.transactions.run(async (tx, afterCommit) => {
      const send = await this.repository.claimEscalationStep(tx, sendId, step);
      if (!send?.escalateAfterSeconds || !send.escalateToKind) return null;
      const { afterSeconds, to } = recordOfEscalation(send);
      const sentAt = send.sentAt ?? send.createdAt;
      if (step < this.config.escalationMaxSteps) {
        await this.schedule(tx, { sendId, step: step + 1 }, new Date(sentAt.getTime() + (step + 1) * afterSeconds * 1000));
      }
      const names = await this.repository.names(
        send.targetKind === 'user' && send.targetId ? [send.targetId] : [],
        send.targetKind === 'team' && send.targetId ? [send.targetId] : [],
        send.targetKind === 'order' && send.targetId ? [send.targetId] : [],
        tx,
      );
      let recipients = await this.recipientsOf(tx, to);
      let escalatedTo = to;
      // The target has nobody left (an empty team, a deactivated user): an alert nobody
      // acknowledged must still reach someone, so the admins get it.
      if (recipients.length === 0 && !(to.kind === 'role' && to.id === 'ADMIN')) {
        escalatedTo = { kind: 'role', id: 'ADMIN' };
        recipients = await this.recipientsOf(tx, escalatedTo);
        this.logger.warn({ msg: 'escalation target has no active member: escalated to the admins instead', sendId, step });
      }
      const content = inEveryLanguage((language) =>
        renderEscalation(
          {
            sendId,
            title: send.title,
            sentTo: targetLabel(send.targetKind as SendTargetKind, send.targetId, names, language),
            waitedSeconds: step * afterSeconds,
            step,
            maxSteps: this.config.escalationMaxSteps,
          },
          language,
        ),
      );
      const record: SendRecord = {
        id: randomUUID(),
        senderId: send.senderId,
        target: escalatedTo,
        requireAck: true,
        // The steps of the original are the escalation: an escalation does not escalate itself.
        escalation: null,
        escalationOf: { sendId, step },
      };
      await this.notifications.createInTransaction(tx, afterCommit, {
        recipients,
        content,
        send: record,
        audit: { actorId: null, action: 'send.escalated', target: { type: 'send', id: sendId }, details: { step, escalationSendId: record.id, recipients: recipients.length } },
      });
      return { recipients: recipients.length };
    });
    if (!fired) return;
    this.metrics.escalations.inc();
    this.logger.log({ msg: 'escalation step fired', sendId, step, recipients: fired.recipients });
    if (fired.recipients === 0) this.logger.error({ msg: 'escalation step reached nobody: no active admin either', sendId, step });
  }

  private async recipientsOf(tx: Tx, to: SendRecord['target']): Promise<string[]> {
    if (to.kind === 'user' && to.id) return (await this.repository.isActiveUser(tx, to.id)) ? [to.id] : [];
    if (to.kind === 'team' && to.id) return (await this.repository.activeMemberIds(tx, to.id)) ?? [];
    if (to.kind === 'role' && (to.id === 'STAFF' || to.id === 'ADMIN')) return this.repository.activeUserIds(tx, to.id);
    return [];
  }
}

function recordOfEscalation(send: Send): { afterSeconds: number; to: SendRecord['target'] } {
  return { afterSeconds: send.escalateAfterSeconds ?? 0, to: { kind: send.escalateToKind as SendRecord['target']['kind'], id: send.escalateToId } };
}
