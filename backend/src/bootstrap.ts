import { BadRequestException, INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { JsonShapePipe, requireUtf8 } from './common/json-shape';
import { TooManyRequestsFilter } from './common/too-many-requests';
import type { AppConfig } from './config/app-config';
import { DatabaseErrorsFilter } from './database/database-errors.filter';
import { PrototypedExpressAdapter } from './express-adapter';
import { RedisConnection } from './realtime/redis-connection';
import { SocketIoAdapter } from './realtime/socket-io.adapter';

export const API_PREFIX = 'api';
/** Largest JSON body accepted; bigger ones get 413 before any parsing work. */
export const JSON_BODY_LIMIT = '100kb';

/** Builds the whole application (not yet listening), as `main.ts` and the e2e tests use it. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new PrototypedExpressAdapter(), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  if (config.trustProxy) app.set('trust proxy', 1);
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT, verify: requireUtf8 });
  app.setGlobalPrefix(API_PREFIX);
  app.useWebSocketAdapter(new SocketIoAdapter(app, app.get(RedisConnection)));
  // Nest asks the last registered filter first: TooManyRequestsFilter answers its 429s before the
  // catch-all DatabaseErrorsFilter sees them.
  app.useGlobalFilters(new DatabaseErrorsFilter(app.getHttpAdapter()), new TooManyRequestsFilter());
  app.useGlobalPipes(
    new JsonShapePipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        new BadRequestException(
          errors.flatMap((error) => Object.values(error.constraints ?? { [error.property]: `${error.property} is invalid` })),
        ),
    }),
  );
  const openApi = new DocumentBuilder()
    .setTitle('Clinic notifications API')
    .setDescription('REST API of the clinic real-time notification system. The WebSocket contract is described in README.md.')
    .addBearerAuth()
    .build();
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, () => SwaggerModule.createDocument(app, openApi));
  return app;
}
