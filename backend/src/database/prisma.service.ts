import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * The Prisma client, bound to PostgreSQL or to the embedded database it owns. Its connection
 * pool is ours (`pool`), so the one statement on the hot path can skip Prisma's query engine
 * (see NotificationsRepository.insertNow).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  static connect(connectionString: string, embedded: EmbeddedPostgres | null, poolSize: number): PrismaService {
    const pool = new Pool({
      connectionString,
      max: embedded ? 1 : poolSize,
      // Fail fast while the database is unreachable (callers get 503) instead of queueing requests.
      connectionTimeoutMillis: 3000,
      // Connections stay open once made (pg closes idle ones after 10 s by default). A new one
      // costs a backend start and a first, planning run of each statement on it, and it is
      // needed exactly when requests pile up: in the benchmark, connections closed in a lull
      // were reopened during the next backlog, in its slowest second.
      idleTimeoutMillis: 0,
    });
    // An idle connection dropped by the server (a restart, a failover) is replaced on next use;
    // without a listener its error would end the process.
    const logger = new Logger('Database');
    pool.on('error', (error) => logger.warn(`idle database connection lost: ${error.message}`));
    return new PrismaService(pool, connectionString, embedded);
  }

  private constructor(
    readonly pool: Pool,
    readonly connectionString: string,
    private readonly embedded: EmbeddedPostgres | null,
  ) {
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  }

  get isEmbedded(): boolean {
    return this.embedded !== null;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    // Prisma ends the pool only if it ever connected.
    if (!this.pool.ended) await this.pool.end();
    await this.embedded?.stop();
  }
}
