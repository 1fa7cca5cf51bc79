import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsServer } from './metrics-server';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({})
export class MetricsModule implements NestModule {
  /** With METRICS_PORT, the metrics move from the app port to a server of their own. */
  static forRoot(config: Pick<AppConfig, 'metricsPort'>): DynamicModule {
    const ownPort = config.metricsPort !== null;
    return {
      module: MetricsModule,
      controllers: ownPort ? [] : [MetricsController],
      providers: [MetricsService, ...(ownPort ? [MetricsServer] : [])],
      exports: [MetricsService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
