import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, INestApplication } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { limitPasswordHashing } from './auth/password';
import { addSharedAnswers, allowNullReferences, ErrorView } from './common/api-docs';
import { DomainErrorsFilter } from './common/domain-errors';
import { JsonShapePipe, requireUtf8 } from './common/json-shape';
import { requestIdOf } from './common/request-id';
import { RetryAfterFilter } from './common/too-many-requests';
import { EmptyQueryValidationPipe } from './common/validation-pipe';
import type { AppConfig } from './config/app-config';
import { DatabaseErrorsFilter } from './database/database-errors.filter';
import { PrototypedExpressAdapter } from './express-adapter';
import { RedisConnection } from './realtime/redis-connection';
import { SocketIoAdapter } from './realtime/socket-io.adapter';
import { apiDocsContentSecurityPolicy, securityHeaders } from './security-headers';

export const API_PREFIX = 'api';
/** Largest JSON body accepted; bigger ones get 413 before any parsing work. */
export const JSON_BODY_LIMIT = '100kb';

/**
 * How long an idle keep-alive connection stays open: longer than any client or proxy in front
 * keeps one (nginx's upstream `keepalive_timeout` and most load balancers: 60 s). With Node's
 * default of 5 s the server could close a connection just as a client sent its next request on
 * it, and that request failed with a reset (the benchmark's few failed sends).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Builds the whole application (not yet listening), as `main.ts` and the e2e tests use it. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  limitPasswordHashing(config.hashConcurrency, config.hashQueueLimit);
  const server = express();
  // Express 5 reads these when it creates its router, on the first middleware, which Nest's
  // adapter adds at once: so they are set before. `/api/METRICS` and `/api/metrics/` are not
  // `/api/metrics`, and unknown spellings get the JSON 404.
  server.set('case sensitive routing', true);
  server.set('strict routing', true);
  server.disable('x-powered-by');
  // No ETag on what Express sends (API answers, pages): it hashed every body, and nothing
  // revalidated one (API answers are never stored, see below; each page has a nonce of its own).
  // The app's files keep theirs: express.static makes those.
  server.set('etag', false);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new PrototypedExpressAdapter(server), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const httpServer = app.getHttpServer();
  httpServer.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Longer still: Node requires it, or a request's headers could time out on a reused connection.
  httpServer.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  // Only these peers' X-Forwarded-For is believed; from anyone else the header is ignored.
  if (config.trustProxy.length > 0) app.set('trust proxy', config.trustProxy);
  // First, so that every answer has them, including the body parser's errors and the 404s.
  app.use(securityHeaders());
  // Before the body parser: its 400, 413 and 415 name the request too.
  app.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
    requestIdOf(request, response);
    next();
  });
  // API answers are one user's data as it is at that moment: no cache (browser, proxy) keeps them.
  app.use(`/${API_PREFIX}`, (_request: IncomingMessage, response: ServerResponse, next: () => void) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT, verify: requireUtf8 });
  app.setGlobalPrefix(API_PREFIX);
  app.useWebSocketAdapter(new SocketIoAdapter(app, app.get(RedisConnection), config));
  // Nest asks the last registered filter first: RetryAfterFilter answers its 429s and 503s before the
  // catch-all DatabaseErrorsFilter sees them.
  app.useGlobalFilters(new DatabaseErrorsFilter(app.getHttpAdapter()), new RetryAfterFilter(), new DomainErrorsFilter(app.getHttpAdapter()));
  app.useGlobalPipes(
    new JsonShapePipe(),
    new EmptyQueryValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(validationMessages(errors)),
    }),
  );
  // API_DOCS: on outside production by default; in production the map of every route is opt-in.
  if (config.apiDocs) {
    app.use(`/${API_PREFIX}/docs`, apiDocsContentSecurityPolicy());
    SwaggerModule.setup(`${API_PREFIX}/docs`, app, () => createOpenApiDocument(app));
  }
  return app;
}

/**
 * The OpenAPI document of the app's routes, as `/api/docs-json` serves it. The e2e tests check
 * every response against it and lint it with redocly (docs/rest-api.md, "The OpenAPI document").
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Clinic notifications API')
    .setDescription(
      'REST API of the clinic real-time notification system. Conventions (paging, safe retries, errors) are in docs/rest-api.md ' +
        'and the real-time side (events, acknowledgements, catch-up) in docs/websocket-contract.md, both in the repository.',
    )
    .addServer('/', "The app's own origin: the app and its API are served together")
    .addBearerAuth()
    // The global JwtAuthGuard: every route needs the access token unless @Public() says `security: []`.
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorView] });
  allowNullReferences(document);
  addSharedAnswers(document, JSON_BODY_LIMIT);
  return document;
}

/** Every broken rule's message, those of nested objects (quietHours.start) included. */
function validationMessages(errors: readonly ValidationError[]): string[] {
  return errors.flatMap((error) => {
    if (error.constraints) return Object.values(error.constraints);
    if (error.children?.length) return validationMessages(error.children);
    return [`${error.property} is invalid`];
  });
}
