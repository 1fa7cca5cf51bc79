import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';

export type Tx = Prisma.TransactionClient;

/** Registers work to run once the transaction has committed; it never runs after a rollback. */
export type AfterCommit = (task: () => Promise<void> | void) => void;

// Waiting for a pooled connection and running the transaction: generous, because a broadcast
// to every user writes thousands of rows in one transaction.
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 };

@Injectable()
export class TransactionService {
  private readonly logger = new Logger(TransactionService.name);

  constructor(private readonly prisma: PrismaService) {}

  /**
   * Runs `work` in one transaction, then the tasks it registered with `afterCommit`, in order.
   * A failing task is logged, never thrown: the write has committed, so the caller succeeded.
   * Inside `work` use only `tx` — the embedded database has a single connection.
   */
  async run<T>(work: (tx: Tx, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
    const tasks: Array<() => Promise<void> | void> = [];
    const result = await this.prisma.$transaction((tx) => work(tx, (task) => tasks.push(task)), TRANSACTION_OPTIONS);
    for (const task of tasks) {
      try {
        await task();
      } catch (error) {
        this.logger.error(`after-commit task failed: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    return result;
  }
}
