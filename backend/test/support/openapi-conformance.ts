import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Document, type Operation } from 'openapi-backend';
import { createOpenApiDocument } from '../../src/bootstrap';

/**
 * Holds every HTTP response of an app started by test-app.ts to the OpenAPI document it serves
 * (createOpenApiDocument, as behind /api/docs-json): whatever the client (supertest, fetch, raw
 * sockets), a response to a documented operation must have a documented status, a body of the
 * documented media type and schema, and the documented headers. The app's own answers are read
 * on the server, so a proxy's or the client's view never gets in the way. A mismatch fails the
 * test that provoked it (see failOnDocumentMismatches).
 */

/** A response of the dereferenced document, as far as these checks read it. */
interface DocumentedResponse {
  content?: Record<string, unknown>;
  headers?: Record<string, { required?: boolean }>;
}

/** By document: an app's configuration can leave out a controller (METRICS_PORT moves the metrics). */
const documentChecks = new Map<string, Promise<OpenAPIBackend>>();
const mismatches: string[] = [];

/**
 * openapi-backend (ajv under the hood, OpenAPI 3.0 and 3.1) routes a request to its operation and
 * validates the body and headers. Quick mode dereferences the document at once and compiles a
 * validator the first time a (route, status) needs it, once per test file: Jest gives each file
 * a module registry of its own.
 */
async function loadDocumentChecks(document: Document): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: document,
    quick: true,
    strict: true,
    // Express runs with strict routing: /api/orders/ is not /api/orders (it is the JSON 404).
    ignoreTrailingSlashes: false,
    customizeAjv: (ajv) => addFormats(ajv),
  });
  await api.init();
  return api;
}

/** Checks every response `app` sends from now on. */
export async function checkResponsesAgainstDocument(app: INestApplication): Promise<void> {
  const document = createOpenApiDocument(app) as Document;
  const key = JSON.stringify(document);
  // The document as served (/api/docs-json): Nest's schemas share objects (one enum array in
  // several schemas), which the dereferencer would turn into references ajv refuses.
  if (!documentChecks.has(key)) documentChecks.set(key, loadDocumentChecks(JSON.parse(key) as Document));
  const api = await documentChecks.get(key)!;
  // Ahead of Express, to see the answers given before any route (body parser, 404s) too.
  (app.getHttpServer() as Server).prependListener('request', (request: IncomingMessage, response: ServerResponse) => tap(api, request, response));
}

/** Throws, and forgets, the mismatches seen since the last call; test-app.ts runs it after each test. */
export function failOnDocumentMismatches(): void {
  if (mismatches.length === 0) return;
  const found = mismatches.splice(0);
  throw new Error(`${found.length} response(s) disagree with the OpenAPI document:\n\n${found.join('\n\n')}`);
}

function tap(api: OpenAPIBackend, request: IncomingMessage, response: ServerResponse): void {
  // Read now: Express rewrites request.url under mounted middleware.
  const method = request.method ?? 'GET';
  const url = request.url ?? '/';
  const chunks: Buffer[] = [];
  const write = response.write;
  const end = response.end;
  response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    collect(chunks, chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  response.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    collect(chunks, chunk, rest[0]);
    // Before the bytes leave: the client, and so the test, cannot have the answer yet.
    const problems = check(api, method, url, this.statusCode, this.getHeaders(), Buffer.concat(chunks));
    if (problems) mismatches.push(problems);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
}

function collect(chunks: Buffer[], chunk: unknown, encoding: unknown): void {
  if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
  else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
}

/** What disagrees with the document, as one message, or null when all agrees or the route is not documented. */
function check(api: OpenAPIBackend, method: string, url: string, status: number, headers: OutgoingHttpHeaders, body: Buffer): string | null {
  const operation = api.router.matchOperation({ method, path: url, headers: {} });
  if (!operation) return null;
  const problems: string[] = [];
  const responses = operation.responses as Record<string, DocumentedResponse>;
  const documented = responses[status] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses.default;
  if (!documented) {
    problems.push(`status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`);
  } else {
    problems.push(...checkBody(api, operation, status, documented, String(headers['content-type'] ?? ''), body));
    problems.push(...checkHeaders(api, operation, status, documented, headers));
  }
  if (problems.length === 0) return null;
  const shown = body.length > 500 ? `${body.subarray(0, 500).toString('utf8')}…` : body.toString('utf8');
  return [`${method} ${url} → ${status} (${operation.method.toUpperCase()} ${operation.path}, ${operation.operationId})`, ...problems.map((problem) => `  - ${problem}`), `  body: ${shown || '(none)'}`].join('\n');
}

function checkBody(api: OpenAPIBackend, operation: Operation, status: number, documented: DocumentedResponse, contentType: string, body: Buffer): string[] {
  const media = contentType.split(';')[0].trim().toLowerCase();
  const content = documented.content ?? {};
  if (body.length === 0) return Object.keys(content).length > 0 ? [`no body, but the document describes ${Object.keys(content).join(', ')}`] : [];
  if (!content[media]) return [`a ${media || 'body without Content-Type'}, but the document describes ${Object.keys(content).join(', ') || 'no body'}`];
  if (media !== 'application/json') return [];
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return ['the body is not JSON'];
  }
  const { errors } = api.validator.validateResponse(json, operation, status);
  return (errors ?? []).map((error) => `body${error.instancePath || ''} ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
}

function checkHeaders(api: OpenAPIBackend, operation: Operation, status: number, documented: DocumentedResponse, headers: OutgoingHttpHeaders): string[] {
  const problems: string[] = [];
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    if (header.required && headers[name.toLowerCase()] === undefined) problems.push(`header ${name} is missing`);
  }
  const { errors } = api.validator.validateResponseHeaders(headers, operation, { statusCode: status });
  for (const error of errors ?? []) problems.push(`header ${error.instancePath.replace('/headers/', '')} ${error.message ?? 'is invalid'}`);
  return problems;
}
