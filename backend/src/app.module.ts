import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { FrontendModule } from './frontend/frontend.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OrdersModule } from './orders/orders.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RetentionModule } from './retention/retention.module';
import { requestIdOf } from './common/request-id';
import { SessionsModule } from './sessions/sessions.module';
import { TeamsModule } from './teams/teams.module';
import { UsersModule } from './users/users.module';
import { PlainWebSocketModule } from './ws/plain-websocket.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          // Path-to-regexp v8 syntax; the library's default '*' is deprecated under Express 5.
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.logLevel,
            genReqId: requestIdOf,
            // Tokens and passwords never reach the logs.
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.query.token', 'res.headers["set-cookie"]'],
            autoLogging: { ignore: (request) => request.url?.startsWith('/api/health') ?? false },
            serializers: { req: (req) => ({ id: req.id, method: req.method, url: req.url?.split('?')[0] }) },
          },
        }),
        MetricsModule.forRoot(config),
        DatabaseModule,
        JobsModule,
        RealtimeModule.forRoot(config),
        CommonModule,
        AuditModule,
        SessionsModule,
        AuthModule,
        UsersModule,
        TeamsModule,
        NotificationsModule,
        PlainWebSocketModule,
        AlertsModule,
        OrdersModule,
        RetentionModule,
        HealthModule,
        ...(config.frontendDir ? [FrontendModule.forRoot(config.frontendDir)] : []),
      ],
    };
  }
}
