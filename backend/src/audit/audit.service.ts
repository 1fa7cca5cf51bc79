import { Inject, Injectable } from '@nestjs/common';
import type { AuditAction, AuditEntryDto, AuditPageDto, AuditTargetType } from '@clinic/contracts';
import type { Tx } from '../common/transaction.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuditRecord, AuditRow, withoutSecrets } from './audit-record';
import { AuditQuery, AuditRepository } from './audit.repository';

export type AuditListOptions = Omit<AuditQuery, 'take'> & { limit: number };

/**
 * The audit log: who did what, to what, when, on which node. Every change records itself with
 * `record(tx, …)` inside its own transaction, so there is no change without its entry and no
 * entry for a change rolled back. Never a password, token or hash: callers pass only what they
 * mean to record, and withoutSecrets drops any key that names a secret all the same.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** This node's name, for an entry written by a statement of its own (an acknowledgement). */
  get node(): string {
    return this.config.nodeName;
  }

  record(tx: Tx, record: AuditRecord): Promise<void> {
    return this.repository.insert(tx, this.row(record));
  }

  /** The row a record becomes, for the one statement that writes it together with its change (a send to one user). */
  row({ actorId, action, target, details = {} }: AuditRecord): AuditRow {
    return { actorId, action, targetType: target?.type ?? null, targetId: target?.id ?? null, node: this.config.nodeName, details: withoutSecrets(details) };
  }

  async list({ limit, ...filters }: AuditListOptions): Promise<AuditPageDto> {
    const rows = await this.repository.page({ ...filters, take: limit + 1 });
    const page = rows.slice(0, limit);
    const names = await this.repository.names([...new Set(page.flatMap((row) => (row.actorId ? [row.actorId] : [])))]);
    const items = page.map(
      (row): AuditEntryDto => ({
        id: row.id,
        seq: row.seq.toString(),
        at: row.at.toISOString(),
        actorId: row.actorId,
        actor: row.actorId && names.has(row.actorId) ? { id: row.actorId, name: names.get(row.actorId)! } : null,
        action: row.action as AuditAction,
        targetType: row.targetType as AuditTargetType | null,
        targetId: row.targetId,
        node: row.node,
        details: row.details as Record<string, unknown>,
      }),
    );
    return { items, nextCursor: rows.length > limit ? page[page.length - 1].seq.toString() : null };
  }
}
