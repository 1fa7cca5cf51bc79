import { Injectable } from '@nestjs/common';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { AuditLog, Prisma } from '../generated/prisma/client';
import type { AuditRow } from './audit-record';

export interface AuditQuery {
  actorId?: string;
  action?: string;
  /** Included. */
  from?: Date;
  /** Excluded. */
  to?: Date;
  /** Only entries older than this seq (the previous page's `nextCursor`). */
  before?: bigint;
  take: number;
}

/** Every read and write of the audit log. It is only ever appended to (a trigger refuses the rest). */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inside the transaction of the change it records, so the two commit or roll back together. */
  async insert(tx: Tx, row: AuditRow): Promise<void> {
    await tx.auditLog.create({ data: { ...row, details: row.details as Prisma.InputJsonObject } });
  }

  /** Newest first. */
  page(query: AuditQuery): Promise<AuditLog[]> {
    return this.prisma.auditLog.findMany({
      where: {
        ...(query.actorId ? { actorId: query.actorId } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.from || query.to ? { at: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) } } : {}),
        ...(query.before !== undefined ? { seq: { lt: query.before } } : {}),
      },
      orderBy: { seq: 'desc' },
      take: query.take,
    });
  }

  /** The names of these users, by id (the ones that still exist). */
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const users = await this.prisma.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
    return new Map(users.map((user) => [user.id, user.name]));
  }
}
