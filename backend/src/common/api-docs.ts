import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
// Not re-exported by the package root; the metadata key ApiOperation writes (see ApiNoSecurity).
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import type { HeadersObject, ReferenceObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The body of every error answer: Nest's exception handling shapes it (DomainErrorsFilter hands
 * it the matching HttpException), RetryAfterFilter adds `retryAfter`, and DatabaseErrorsFilter
 * writes the same fields for an unreachable database.
 */
export class ErrorView {
  @ApiProperty({ type: 'integer', example: 404, description: 'The HTTP status again' })
  statusCode: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What went wrong; for an invalid body or query (400), the list of every problem',
  })
  message: string | string[];

  @ApiPropertyOptional({ example: 'Not Found', description: "The status's name; absent when the JSON body parser refused the request" })
  error?: string;

  @ApiPropertyOptional({ type: 'integer', description: '429 and 503 of a busy server: the seconds of Retry-After' })
  retryAfter?: number;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/** Sent with every 429 and 503: clients (and the reference client in the tests) wait this long. */
export const RETRY_AFTER_HEADER = {
  'Retry-After': { description: 'Seconds to wait before trying again', required: true, schema: { type: 'integer', minimum: 0 } },
};

/**
 * Documents error answers of a route (or of every route of a controller), each with its reason
 * and the shared ErrorView body; 429 and 503 carry Retry-After. A method's entry replaces the
 * controller's for the same status. The answers every route shares (401 without a token, the
 * body parser's 400/413/415, 503 for an unreachable database) are added by createOpenApiDocument.
 */
export function ApiErrors(errors: Partial<Record<ErrorStatus, string>>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(errors).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        type: ErrorView,
        ...(status === '429' || status === '503' ? { headers: RETRY_AFTER_HEADER } : {}),
      }),
    ),
  );
}

/**
 * `security: []` on the operation (on every operation of a class): it needs no access token,
 * overriding the document's default bearer requirement. Merged into ApiOperation's metadata, as
 * the explorer drops an empty method-level ApiSecurity; merging keeps the summary whatever the
 * decorator order.
 */
export function ApiNoSecurity(): MethodDecorator & ClassDecorator {
  const mark = (handler: object) =>
    Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...Reflect.getMetadata(DECORATORS.API_OPERATION, handler), security: [] }, handler);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      mark(descriptor.value as object);
      return;
    }
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name !== 'constructor' && typeof prototype[name] === 'function') mark(prototype[name]);
    }
  };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const ref = (to: string) => ({ $ref: `#/components/${to}` });

/**
 * Adds what every route answers because of the layers in front of all of them, so that no
 * controller can forget it: X-Request-Id on every response; the JSON body parser's 400, 413 and
 * 415 (it reads a JSON body on any route, before routing); 401 from the global JwtAuthGuard where
 * a token is needed; 503 from DatabaseErrorsFilter. A route's own entry for a status is kept.
 */
export function addSharedAnswers(document: OpenAPIObject, jsonBodyLimit: string): void {
  const requestId = ref('headers/X-Request-Id');
  const error = (description: string, headers: HeadersObject = {}): ResponseObject => ({
    description,
    headers: { 'X-Request-Id': requestId, ...headers },
    content: { 'application/json': { schema: ref('schemas/ErrorView') } },
  });
  document.components = {
    ...document.components,
    headers: {
      ...document.components?.headers,
      'X-Request-Id': {
        description: "Names this request in the server's logs: the client's own when it sent a sane one, else a new UUID",
        required: true,
        schema: { type: 'string' },
      },
    },
    responses: {
      ...document.components?.responses,
      BadRequest: error('The request is invalid: the body is not JSON, not UTF-8 or not an object, or the body, query or a header breaks a rule (message lists every problem)'),
      Unauthorized: error('The access token is missing, invalid or expired, or its session has ended: refresh or sign in again'),
      PayloadTooLarge: error(`The body is larger than ${jsonBodyLimit}`),
      UnsupportedMediaType: error('The JSON body is declared in another charset than UTF-8'),
      ServiceUnavailable: error('The database is unreachable: try again after Retry-After', RETRY_AFTER_HEADER),
    },
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const needsToken = operation.security?.length !== 0;
      const shared: Array<[string, string, boolean]> = [
        ['400', 'BadRequest', true],
        ['401', 'Unauthorized', needsToken],
        ['413', 'PayloadTooLarge', true],
        ['415', 'UnsupportedMediaType', true],
        ['503', 'ServiceUnavailable', true],
      ];
      for (const [status, name, applies] of shared) {
        if (applies) operation.responses[status] ??= ref(`responses/${name}`);
      }
      for (const response of Object.values(operation.responses) as Array<ResponseObject | ReferenceObject>) {
        if (!('$ref' in response)) response.headers = { 'X-Request-Id': requestId, ...response.headers };
      }
    }
  }
}

/**
 * Lets the properties declared `type: SomeView, nullable: true` be null. Nest emits them as
 * `{ nullable: true, allOf: [{ $ref }] }`, and OpenAPI 3.0's `nullable` does not reach through
 * the `$ref`: that schema refuses null. Null becomes a branch of its own.
 */
export function allowNullReferences(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    const properties = 'properties' in schema ? schema.properties : undefined;
    for (const [name, property] of Object.entries(properties ?? {})) {
      if (!('nullable' in property) || !property.nullable || property.allOf?.length !== 1) continue;
      const { allOf, type: _object, nullable: _nullable, ...rest } = property;
      properties![name] = { ...rest, oneOf: [allOf[0], { type: 'object', nullable: true, enum: [null] }] };
    }
  }
}
