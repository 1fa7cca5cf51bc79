import { Global, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ensureInitialAdmin, seedDemoUsers } from './demo-users';
import { EmbeddedPostgres } from './embedded-postgres';
import { migrations } from './migrations';
import { PrismaService } from './prisma.service';

@Global()
@Module({
  providers: [
    {
      provide: PrismaService,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<PrismaService> => {
        const logger = new Logger('Database');
        const embedded = config.databaseUrl ? null : await EmbeddedPostgres.start(config.embeddedDataDir);
        const connectionString = config.databaseUrl ?? embedded!.connectionString;
        if (embedded) logger.log(`embedded PostgreSQL (PGlite) with data in ${config.embeddedDataDir}`);
        // Every node migrates on start; Prisma's advisory lock lets only one apply at a time.
        const applied = await migrations.applyMigrations(connectionString, (line) => logger.log(line));
        if (applied.length) logger.log(`applied ${applied.length} migration(s)`);
        const prisma = PrismaService.connect(connectionString, embedded, config.databasePoolSize);
        if (config.seedDemoUsers) await seedDemoUsers(prisma, logger);
        if (config.initialAdmin) await ensureInitialAdmin(prisma, config.initialAdmin, logger);
        return prisma;
      },
    },
  ],
  exports: [PrismaService],
})
export class DatabaseModule {}
