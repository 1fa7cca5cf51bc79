import { Injectable } from '@nestjs/common';
import type { BulkAction } from '@clinic/contracts';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Notification, Prisma } from '../generated/prisma/client';

/** A change of state: every bulk action but `delete`. */
export type StateChange = Exclude<BulkAction, 'delete'>;

/** An alert awaiting acknowledgement (contracts/triage.ts, awaitsAcknowledgement; CRITICAL ones are stored with requireAck). */
const AWAITS_ACKNOWLEDGEMENT: Prisma.NotificationWhereInput = { requireAck: true, acknowledgedAt: null };

/**
 * For each change: the rows it applies to (those not yet in that state; archive and snooze not
 * to an alert awaiting acknowledgement) and what it writes. Every change counts one more version.
 * Snoozing always writes (a new time replaces the old one) and takes it out of the archive;
 * archiving ends a snooze (the table's one-view CHECK).
 */
function changeOf(change: StateChange, now: Date, until: Date | undefined): { where: Prisma.NotificationWhereInput; data: Prisma.NotificationUpdateManyMutationInput } {
  const version = { increment: 1 };
  switch (change) {
    case 'read':
      return { where: { readAt: null }, data: { readAt: now, version } };
    case 'unread':
      return { where: { readAt: { not: null } }, data: { readAt: null, version } };
    case 'archive':
      return { where: { archivedAt: null, NOT: AWAITS_ACKNOWLEDGEMENT }, data: { archivedAt: now, snoozedUntil: null, version } };
    case 'unarchive':
      return { where: { archivedAt: { not: null } }, data: { archivedAt: null, version } };
    case 'snooze':
      if (!until) throw new Error('snooze needs a time');
      return { where: { NOT: AWAITS_ACKNOWLEDGEMENT }, data: { snoozedUntil: until, archivedAt: null, version } };
    case 'unsnooze':
      return { where: { snoozedUntil: { not: null } }, data: { snoozedUntil: null, version } };
  }
}

/** The queries of inbox triage: read, unread, archive, snooze and delete, for one id or many. */
@Injectable()
export class TriageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Applies the change to those of `ids` that are the user's and not in that state yet; returns them as they are now. */
  change(userId: string, ids: readonly string[], change: StateChange, options: { until?: Date; tx?: Tx } = {}): Promise<Notification[]> {
    const { where, data } = changeOf(change, new Date(), options.until);
    return (options.tx ?? this.prisma).notification.updateManyAndReturn({ where: { id: { in: [...ids] }, userId, ...where }, data });
  }

  /** Deletes those of `ids` that are the user's, except alerts awaiting acknowledgement; returns what went. */
  delete(userId: string, ids: readonly string[]): Promise<Array<{ id: string; sendId: string | null }>> {
    return this.prisma.$queryRaw<Array<{ id: string; sendId: string | null }>>`
      DELETE FROM "Notification"
      WHERE "id" = ANY(${[...ids]}::text[]) AND "userId" = ${userId} AND NOT ("requireAck" AND "acknowledgedAt" IS NULL)
      RETURNING "id", "sendId"`;
  }

  /** Those of `ids` that are the user's. */
  findMany(userId: string, ids: readonly string[]): Promise<Notification[]> {
    return this.prisma.notification.findMany({ where: { id: { in: [...ids] }, userId } });
  }

  /** The notification if it is still snoozed until exactly `until` (not unsnoozed, re-snoozed or archived since). */
  findSnoozedUntil(userId: string, id: string, until: Date): Promise<Notification | null> {
    return this.prisma.notification.findFirst({ where: { id, userId, snoozedUntil: until } });
  }
}
