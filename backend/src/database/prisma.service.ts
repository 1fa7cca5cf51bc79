import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { EmbeddedPostgres } from './embedded-postgres';

/** The Prisma client, bound to PostgreSQL or to the embedded database it owns. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(
    readonly connectionString: string,
    private readonly embedded: EmbeddedPostgres | null,
  ) {
    // Fail fast while the database is unreachable (callers get 503) instead of queueing requests.
    super({ adapter: new PrismaPg({ connectionString, max: embedded ? 1 : 10, connectionTimeoutMillis: 3000 }) });
  }

  get isEmbedded(): boolean {
    return this.embedded !== null;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    await this.embedded?.stop();
  }
}
