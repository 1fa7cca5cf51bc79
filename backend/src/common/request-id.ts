import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The id that names a request in the logs and in its answer's X-Request-Id: the client's own when
 * it sent a sane one, else a new UUID; once chosen (the first middleware, ahead of the body
 * parser, so its 400/413/415 carry one too), the same for the rest of the request.
 */
export function requestIdOf(request: IncomingMessage, response: ServerResponse): string {
  const chosen = response.getHeader('x-request-id');
  if (typeof chosen === 'string') return chosen;
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
  response.setHeader('x-request-id', id);
  return id;
}
