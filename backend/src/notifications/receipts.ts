import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import DataLoader from 'dataloader';
import { NotificationPublisher } from './notification-publisher';
import { Receipt, NotificationsRepository } from './notifications.repository';

/**
 * Receipts arrive one per device per notification (`notification:delivered` for every
 * `notification:new`, `notification:seen` as the app renders): each is written in a batch with
 * the others of the same RECEIPT_BATCH_MS, one UPDATE over arrays (DataLoader batches; caching
 * is off, every receipt is a new fact). The send itself gains no statement.
 */
const RECEIPT_BATCH_MS = 100;
const MAX_RECEIPT_BATCH = 1_000;
/** `send:updated` for a send goes out at most this often, with its latest counts. */
const COUNTS_PUSH_MS = 250;

type ReceiptColumn = 'deliveredAt' | 'seenAt';

@Injectable()
export class Receipts implements OnModuleDestroy {
  private readonly logger = new Logger(Receipts.name);
  private readonly loaders: Record<ReceiptColumn, DataLoader<Receipt, boolean>>;
  private readonly changedSends = new Set<string>();
  private countsTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly publisher: NotificationPublisher,
  ) {
    const loader = (column: ReceiptColumn) =>
      new DataLoader<Receipt, boolean>((receipts) => this.write(column, receipts), {
        cache: false,
        maxBatchSize: MAX_RECEIPT_BATCH,
        batchScheduleFn: (callback) => setTimeout(callback, RECEIPT_BATCH_MS),
      });
    this.loaders = { deliveredAt: loader('deliveredAt'), seenAt: loader('seenAt') };
  }

  onModuleDestroy(): void {
    clearTimeout(this.countsTimer);
  }

  /** Records that a device of the user received these notifications; how many had no such receipt yet. */
  delivered(userId: string, ids: readonly string[]): Promise<number> {
    return this.record('deliveredAt', userId, ids);
  }

  /** Records that the app showed these notifications of the user on screen. */
  seen(userId: string, ids: readonly string[]): Promise<number> {
    return this.record('seenAt', userId, ids);
  }

  /** A send's receipts changed (a read, an acknowledgement, a deletion): its counts are pushed soon. */
  sendsChanged(sendIds: Iterable<string | null>): void {
    for (const id of sendIds) if (id) this.changedSends.add(id);
    if (this.changedSends.size > 0 && !this.countsTimer) {
      this.countsTimer = setTimeout(() => void this.pushCounts(), COUNTS_PUSH_MS);
      this.countsTimer.unref();
    }
  }

  private async record(column: ReceiptColumn, userId: string, ids: readonly string[]): Promise<number> {
    const at = new Date();
    const results = await this.loaders[column].loadMany([...new Set(ids)].map((id) => ({ id, userId, at })));
    return results.filter((updated) => updated === true).length;
  }

  private async write(column: ReceiptColumn, receipts: readonly Receipt[]): Promise<boolean[]> {
    const updated = await this.repository.recordReceipts(column, receipts);
    this.sendsChanged(updated.map((row) => row.sendId));
    // Two devices confirming one notification in one batch: the first of them made the change.
    const newlySet = new Set(updated.map((row) => `${row.userId}/${row.id}`));
    return receipts.map((receipt) => newlySet.delete(`${receipt.userId}/${receipt.id}`));
  }

  private async pushCounts(): Promise<void> {
    this.countsTimer = undefined;
    const sendIds = [...this.changedSends];
    this.changedSends.clear();
    try {
      for (const { sendId, senderId, ...counts } of await this.repository.sendCounts(sendIds)) {
        this.publisher.sendUpdated(senderId, { sendId, counts });
      }
    } catch (error) {
      this.logger.warn(`could not push the receipt counts of ${sendIds.length} sends: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
