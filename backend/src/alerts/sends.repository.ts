import { Injectable } from '@nestjs/common';
import type { Role, SendRecipientDto, SendStatus } from '@clinic/contracts';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Send } from '../generated/prisma/client';
import type { AuthUser } from '../auth/auth-user';
import type { MessageEvent } from '../notifications/notification-templates';
import { ordersVisibleTo } from '../orders/orders.repository';
import type { SendRecord, SendTargetKind } from '../notifications/notifications.repository';

export type { Send };

/** An admin's message with its priority decided. */
export type ScheduledMessage = MessageEvent & Required<Pick<MessageEvent, 'priority'>>;

export interface SendPageQuery {
  status?: SendStatus;
  /** Only sends older than this seq. */
  before?: bigint;
  take: number;
}

const STATUS_OF: Readonly<Record<SendStatus, Send['status']>> = { scheduled: 'SCHEDULED', sent: 'SENT', cancelled: 'CANCELLED' };

/** The Send table: scheduled sends, escalation steps, the lists and receipts admins read. */
@Injectable()
export class SendsRepository {
  constructor(private readonly prisma: PrismaService) {}

  // ---- recipients --------------------------------------------------------------------------

  /** Everyone with the role, or everyone, who is active (a deactivated account receives nothing). */
  async activeUserIds(tx: Tx, role: Role | null): Promise<string[]> {
    const users = await tx.user.findMany({
      where: { deactivatedAt: null, ...(role ? { role } : {}) },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return users.map((user) => user.id);
  }

  /** The team's active members, or null when there is no such team. */
  async activeMemberIds(tx: Tx, teamId: string): Promise<string[] | null> {
    const team = await tx.team.findUnique({
      where: { id: teamId },
      select: { members: { where: { user: { deactivatedAt: null } }, select: { userId: true }, orderBy: { userId: 'asc' } } },
    });
    return team ? team.members.map((member) => member.userId) : null;
  }

  /** Whether the user exists and is active. */
  async isActiveUser(tx: Tx, userId: string): Promise<boolean> {
    return (await tx.user.count({ where: { id: userId, deactivatedAt: null } })) > 0;
  }

  // ---- scheduled sends ---------------------------------------------------------------------

  /** The message is kept as the admin wrote it: a default link label is chosen in each recipient's language when it goes out. */
  async createScheduled(tx: Tx, send: SendRecord, message: ScheduledMessage, sendAt: Date): Promise<void> {
    await tx.send.create({
      data: {
        ...messageColumns(message),
        ...recordColumns(send),
        status: 'SCHEDULED',
        sendAt,
      },
    });
  }

  /** Marks a scheduled send as going out now; null when it is not scheduled (cancelled, or gone out already). */
  async claimScheduled(tx: Tx, sendId: string, now: Date): Promise<Send | null> {
    const [claimed] = await tx.send.updateManyAndReturn({ where: { id: sendId, status: 'SCHEDULED' }, data: { status: 'SENT', sentAt: now } });
    return claimed ?? null;
  }

  /** Cancels a scheduled send; null when there is none with that id still scheduled. */
  async cancelScheduled(tx: Tx, sendId: string, now: Date): Promise<Send | null> {
    const [cancelled] = await tx.send.updateManyAndReturn({ where: { id: sendId, status: 'SCHEDULED' }, data: { status: 'CANCELLED', cancelledAt: now } });
    return cancelled ?? null;
  }

  // ---- escalation --------------------------------------------------------------------------

  /**
   * Claims escalation step `step` of a send: only when the previous step is the last one done and
   * nobody has acknowledged it. Row-locks the send, so a concurrent acknowledgement (which sets
   * `acknowledgedAt` on this row) either commits first, and the claim fails, or waits for it.
   */
  async claimEscalationStep(tx: Tx, sendId: string, step: number): Promise<Send | null> {
    const [claimed] = await tx.send.updateManyAndReturn({
      where: { id: sendId, status: 'SENT', acknowledgedAt: null, escalationStepsDone: step - 1, escalateAfterSeconds: { not: null } },
      data: { escalationStepsDone: step },
    });
    return claimed ?? null;
  }

  // ---- reading -----------------------------------------------------------------------------

  find(sendId: string): Promise<Send | null> {
    return this.prisma.send.findUnique({ where: { id: sendId } });
  }

  page(query: SendPageQuery): Promise<Send[]> {
    return this.prisma.send.findMany({
      where: {
        ...(query.status ? { status: STATUS_OF[query.status] } : {}),
        ...(query.before !== undefined ? { seq: { lt: query.before } } : {}),
      },
      orderBy: { seq: 'desc' },
      take: query.take,
    });
  }

  /** The send's recipients with their receipts, by name, at most `take`. */
  async recipients(sendId: string, take: number): Promise<SendRecipientDto[]> {
    const rows = await this.prisma.notification.findMany({
      where: { sendId },
      select: { userId: true, deliveredAt: true, seenAt: true, readAt: true, acknowledgedAt: true, user: { select: { name: true } } },
      orderBy: [{ user: { name: 'asc' } }, { userId: 'asc' }],
      take,
    });
    return rows.map((row) => ({
      userId: row.userId,
      name: row.user.name,
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
      seenAt: row.seenAt?.toISOString() ?? null,
      readAt: row.readAt?.toISOString() ?? null,
      acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    }));
  }

  escalationSteps(sendId: string): Promise<Send[]> {
    return this.prisma.send.findMany({ where: { escalationOf: sendId }, orderBy: { escalationStep: 'asc' } });
  }

  /** Whether the user received a notification of one of the send's escalation steps. */
  async receivedEscalationOf(userId: string, sendId: string): Promise<boolean> {
    const steps = await this.prisma.send.findMany({ where: { escalationOf: sendId }, select: { id: true } });
    if (steps.length === 0) return false;
    return (await this.prisma.notification.count({ where: { userId, sendId: { in: steps.map((step) => step.id) } } })) > 0;
  }

  /** Whether the viewer may see the order now (need-to-know, as the orders themselves). */
  async orderVisibleTo(viewer: AuthUser, orderId: string): Promise<boolean> {
    return (await this.prisma.order.count({ where: { id: orderId, ...ordersVisibleTo(viewer) } })) > 0;
  }

  /** Names of users, teams and orders, for the labels of targets; inside a transaction, pass it (the embedded database has one connection). */
  async names(userIds: readonly string[], teamIds: readonly string[], orderIds: readonly string[], db: Tx = this.prisma): Promise<Map<string, string>> {
    const users = userIds.length ? await db.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, name: true } }) : [];
    const teams = teamIds.length ? await db.team.findMany({ where: { id: { in: [...teamIds] } }, select: { id: true, name: true } }) : [];
    const orders = orderIds.length ? await db.order.findMany({ where: { id: { in: [...orderIds] } }, select: { id: true, patientName: true } }) : [];
    return new Map([
      ...users.map((user): [string, string] => [user.id, user.name]),
      ...teams.map((team): [string, string] => [team.id, team.name]),
      ...orders.map((order): [string, string] => [order.id, `Order for ${order.patientName}`]),
    ]);
  }
}

function messageColumns({ type, title, message, priority, actionUrl, actionText }: ScheduledMessage) {
  return { type, title, message, priority, actionUrl: actionUrl ?? null, actionText: actionText ?? null, metadata: {} };
}

function recordColumns(send: SendRecord) {
  return {
    id: send.id,
    senderId: send.senderId,
    targetKind: send.target.kind,
    targetId: send.target.id,
    requireAck: send.requireAck,
    escalateAfterSeconds: send.escalation?.afterSeconds ?? null,
    escalateToKind: send.escalation?.to.kind ?? null,
    escalateToId: send.escalation?.to.id ?? null,
    escalationOf: send.escalationOf?.sendId ?? null,
    escalationStep: send.escalationOf?.step ?? null,
  };
}

/** The message a scheduled send carries, for it going out. */
export function messageOf(send: Send): ScheduledMessage {
  const { type, title, message, priority, actionUrl, actionText } = send;
  return { type, title, message, priority, actionUrl, actionText };
}

/** The record a stored send was written with. */
export function recordOf(send: Send): SendRecord {
  return {
    id: send.id,
    senderId: send.senderId,
    target: { kind: send.targetKind as SendTargetKind, id: send.targetId },
    requireAck: send.requireAck,
    escalation:
      send.escalateAfterSeconds !== null && send.escalateToKind !== null
        ? { afterSeconds: send.escalateAfterSeconds, to: { kind: send.escalateToKind as SendTargetKind, id: send.escalateToId } }
        : null,
    escalationOf: send.escalationOf !== null && send.escalationStep !== null ? { sendId: send.escalationOf, step: send.escalationStep } : null,
  };
}
