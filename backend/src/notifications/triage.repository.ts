import { Injectable } from '@nestjs/common';
import { stateAfter, type StateChange } from '@clinic/contracts';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Notification, Prisma } from '../generated/prisma/client';

/** An alert awaiting acknowledgement (contracts/triage.ts, awaitsAcknowledgement; CRITICAL ones are stored with requireAck). */
const AWAITS_ACKNOWLEDGEMENT: Prisma.NotificationWhereInput = { requireAck: true, acknowledgedAt: null };

/**
 * For each change, the rows it applies to: those not yet in that state, and for archive and
 * snooze not an alert awaiting acknowledgement. Snoozing always applies (a new time replaces the
 * old one).
 */
const APPLIES_TO: Readonly<Record<StateChange, Prisma.NotificationWhereInput>> = {
  read: { readAt: null },
  unread: { readAt: { not: null } },
  archive: { archivedAt: null, NOT: AWAITS_ACKNOWLEDGEMENT },
  unarchive: { archivedAt: { not: null } },
  snooze: { NOT: AWAITS_ACKNOWLEDGEMENT },
  unsnooze: { snoozedUntil: { not: null } },
};

/** The queries of inbox triage: read, unread, archive, snooze and delete, for one id or many. */
@Injectable()
export class TriageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Applies the change to those of `ids` that are the user's and not in that state yet; returns them as they are now. */
  change(userId: string, ids: readonly string[], change: StateChange, options: { until?: Date; tx?: Tx } = {}): Promise<Notification[]> {
    // What it writes is the contract's rule (ISO times, which Prisma stores as they are); every
    // change counts one more version.
    const data = { ...stateAfter(change, new Date().toISOString(), options.until?.toISOString()), version: { increment: 1 } };
    return (options.tx ?? this.prisma).notification.updateManyAndReturn({ where: { id: { in: [...ids] }, userId, ...APPLIES_TO[change] }, data });
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
