import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { SOCKET_PATH } from '@clinic/contracts';
import { isAllowedOrigin } from '../common/allowed-origin';
import type { AppConfig } from '../config/app-config';
import { isPlainWebSocketUpgrade } from '../ws/plain-websocket-request';
import { DirectWriteAdapter } from './direct-write.adapter';
import { withLocalBroadcasts } from './local-broadcasts';
import type { RedisConnection } from './redis-connection';
import { MAX_CLIENT_MESSAGE_BYTES } from './socket-limits';

/**
 * Server options chosen for many long-lived, mostly idle connections carrying small JSON events.
 * pingInterval / pingTimeout stay at Socket.IO's defaults (25 s / 20 s): frequent enough to
 * notice dead peers and to keep proxies with a 60 s idle timeout from cutting the connection.
 * Exported for the benchmark, which measures this socket layer alone.
 */
export const SOCKET_SERVER_OPTIONS: Partial<ServerOptions> = {
  // One node; with Redis the cluster adapter replaces it (see createIOServer).
  adapter: DirectWriteAdapter,
  // The Angular app bundles its own client.
  serveClient: false,
  // Compression keeps a zlib context per connection (hundreds of KB each) for payloads of a
  // few hundred bytes: not worth the memory.
  perMessageDeflate: false,
  httpCompression: false,
  // Clients only send small commands ({ id }, { afterSeq }, { channel }); anything bigger than
  // 16 KB is refused before it is parsed (Socket.IO's default is 1 MB).
  maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES,
  // A client that opens a transport but never completes the handshake is dropped after 10 s
  // (default 45 s), so half-open connections do not pile up.
  connectTimeout: 10_000,
};

/** What Express's helmet sends, for answers that carry no page: nothing may load or frame them. */
const ENGINE_SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

/** A WebSocket upgrade on a path nobody serves gets an HTTP 404 at once. */
function refuseOtherUpgrades(request: IncomingMessage, socket: Duplex): void {
  // Engine.IO's own, and the plain WebSocket endpoint's (ws/), which answers it.
  if ((request.url ?? '').startsWith(`${SOCKET_PATH}/`) || isPlainWebSocketUpgrade(request)) return;
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nNot Found\n');
}

/** Nest's Socket.IO adapter with our server options and, when REDIS_URL is set, the Redis adapter. */
export class SocketIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly redis: RedisConnection,
    private readonly origins: Pick<AppConfig, 'allowedOrigins' | 'publicUrl'>,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...SOCKET_SERVER_OPTIONS,
      ...options,
      // A handshake from a browser page (it carries Origin) is refused with 403 unless the page
      // is of the app's own origin or of ALLOWED_ORIGINS; a client that sends no Origin (not a
      // browser) is judged by its token alone, in the gateway.
      allowRequest: (request, callback) => callback(null, isAllowedOrigin(request.headers.origin, request.headers.host, this.origins)),
      // Engine.IO would leave an upgrade on any other path hanging for a second before dropping
      // it; refuseOtherUpgrades answers those at once.
      destroyUpgrade: false,
      // No connection state recovery: Socket.IO restores a recovered session's rooms and replays
      // its missed packets before any middleware runs, so a connection presenting a dropped
      // session's id (no token needed) received that session's notifications. What a client
      // missed comes from the database instead (`auth.lastSeq`, `sync`), after authentication.
      // Whichever the adapter, what it writes to this node's sockets also goes to the local
      // broadcast's listener (this node's plain WebSocket connections; see local-broadcasts.ts).
      ...(this.redis.enabled ? { adapter: withLocalBroadcasts(this.redis.socketIoAdapter()) } : {}),
    } as ServerOptions);
    // Engine.IO answers its polling requests itself, never through Express and its headers.
    server.engine.on('headers', (headers: Record<string, string>) => Object.assign(headers, ENGINE_SECURITY_HEADERS));
    this.httpServer?.on('upgrade', refuseOtherUpgrades);
    return server;
  }

  /**
   * Nest's default keeps an RxJS pipeline (fromEvent → mergeMap → takeUntil) per handler per
   * socket: about 25 KB for our handlers on every idle connection, the largest share of a
   * socket's memory. Plain listeners cost a closure each; a handler's result becomes an
   * observable only when a message actually arrives.
   */
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message, (...args: unknown[]) => {
        // The payload shape Nest's fromEvent-based binding would have produced.
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args);
        transform(callback(data, ack)).subscribe((response) => {
          if (response === null || response === undefined) return;
          const reply = response as { event?: string; data?: unknown };
          if (reply.event) socket.emit(reply.event, reply.data);
          else if (!isAckHandledManually && typeof ack === 'function') ack(response);
        });
      });
    }
  }
}
