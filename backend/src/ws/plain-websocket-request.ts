import type { IncomingMessage } from 'node:http';
import { PLAIN_WEBSOCKET_BEARER_PROTOCOL, PLAIN_WEBSOCKET_PATH } from '@clinic/contracts';

/** What a plain WebSocket client presents when it connects. */
export interface PlainWebSocketCredentials {
  token: string | undefined;
  /** The client's safe cursor, as sent (CatchUpService reads it). */
  lastSeq: string | undefined;
}

/** Whether this upgrade is for the plain WebSocket endpoint: its path exactly (routing is case-sensitive), any query. */
export function isPlainWebSocketUpgrade(request: IncomingMessage): boolean {
  return (request.url ?? '').split('?', 1)[0] === PLAIN_WEBSOCKET_PATH;
}

/**
 * The access token from `Sec-WebSocket-Protocol: bearer, <token>` (preferred: it stays out of
 * URLs and access logs) or from `?token=`, and `?lastSeq=`.
 */
export function credentialsOf(request: IncomingMessage): PlainWebSocketCredentials {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const [protocol, protocolToken] = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((part) => part.trim());
  const token = protocol === PLAIN_WEBSOCKET_BEARER_PROTOCOL && protocolToken ? protocolToken : query.get('token');
  return { token: token ?? undefined, lastSeq: query.get('lastSeq') ?? undefined };
}

/** The subprotocol the server answers with: `bearer` when offered, never the token that follows it. */
export function selectProtocol(offered: Set<string>): string | false {
  return offered.has(PLAIN_WEBSOCKET_BEARER_PROTOCOL) ? PLAIN_WEBSOCKET_BEARER_PROTOCOL : false;
}
