import { Controller, Get, HttpStatus, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { HealthDto, ReadinessDto } from '@clinic/contracts';
import { Public } from '../auth/auth.decorators';
import { migrations } from '../database/migrations';
import { PrismaService } from '../database/prisma.service';
import { HealthView, ReadinessView } from './health.dto';
import { REDIS_HEALTH, RedisHealth } from './redis-health';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    @Optional() @Inject(REDIS_HEALTH) private readonly redis?: RedisHealth,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness, with the state of the database and Redis; 503 when the database is unreachable' })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'The database is unreachable' })
  async health(@Res({ passthrough: true }) response: Response): Promise<HealthDto> {
    const [database, redis] = await Promise.all([this.databaseState(), this.redisState()]);
    if (database === 'down') response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: database === 'up' ? 'ok' : 'error', database, redis };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database reachable, Redis reachable (when used), all migrations applied; else 503' })
  @ApiOkResponse({ type: ReadinessView })
  @ApiServiceUnavailableResponse({ type: ReadinessView, description: 'Not ready: the database or Redis is unreachable, or migrations are pending' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessDto> {
    const [database, redis] = await Promise.all([this.databaseState(), this.redisState()]);
    const pendingMigrations =
      database === 'up'
        ? await migrations
            .pendingMigrations((sql) => this.prisma.$queryRawUnsafe(sql))
            .catch(() => null)
        : null;
    const ready = database === 'up' && redis !== 'down' && pendingMigrations?.length === 0;
    if (!ready) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'error', database, redis, pendingMigrations };
  }

  private databaseState(): Promise<'up' | 'down'> {
    return this.prisma.$queryRaw`SELECT 1`.then(
      () => 'up' as const,
      () => 'down' as const,
    );
  }

  private async redisState(): Promise<'up' | 'down' | 'disabled'> {
    if (!this.redis) return 'disabled';
    return (await this.redis.isUp().catch(() => false)) ? 'up' : 'down';
  }
}
