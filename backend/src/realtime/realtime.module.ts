import { DynamicModule, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { REDIS_HEALTH } from '../health/redis-health';
import { RedisConnection } from './redis-connection';
import { SocketLimits } from './socket-limits';

@Module({})
export class RealtimeModule implements OnApplicationShutdown {
  constructor(private readonly redis: RedisConnection) {}

  static forRoot(config: AppConfig): DynamicModule {
    const connection: Provider = {
      provide: RedisConnection,
      inject: [APP_CONFIG, PrismaService],
      useFactory: (appConfig: AppConfig, prisma: PrismaService): Promise<RedisConnection> | RedisConnection =>
        appConfig.redisUrl
          ? RedisConnection.connect(appConfig.redisUrl, redisKeyPrefix(prisma.connectionString))
          : RedisConnection.disabled(),
    };
    // Health reports Redis only when this node uses it.
    const health: Provider[] = config.redisUrl ? [{ provide: REDIS_HEALTH, useExisting: RedisConnection }] : [];
    return {
      module: RealtimeModule,
      global: true,
      providers: [connection, SocketLimits, ...health],
      exports: [RedisConnection, SocketLimits, ...health.map(() => REDIS_HEALTH)],
    };
  }

  // After the Socket.IO server has closed (Nest closes it between the destroy and shutdown
  // hooks), so the adapter never runs on a closed connection.
  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}

/**
 * Nodes that share a database are one deployment and must share Socket.IO's stream; nodes of
 * other deployments (or other test runs) on the same Redis must not. The database name draws
 * exactly that line, with nothing more to configure.
 */
export function redisKeyPrefix(databaseUrl: string): string {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
  return `clinic:${database}:`;
}
