import type { Server as HttpServer, ServerResponse } from 'node:http';
import { INestApplication, Logger } from '@nestjs/common';
import { NotificationsGateway } from './notifications/notifications.gateway';
import { PlainWebSocketGateway } from './ws/plain-websocket.gateway';

/**
 * How a node leaves on SIGTERM (or SIGINT) without failing what it is doing:
 * 1. It stops listening: new connections are refused, so the load balancer and the clients go to
 *    another node. Idle keep-alive connections close now, busy ones after their response.
 * 2. It closes every socket at the transport level (plain WebSockets with close code 1001):
 *    clients reconnect elsewhere and catch up there.
 * 3. It lets the requests in progress finish (their notifications still reach the other nodes
 *    through Redis), then closes the database and Redis connections and exits with 0.
 * Should anything hang, the process exits with 1 once `timeoutMs` has passed since the signal.
 */
export function exitGracefullyOn(signals: NodeJS.Signals[], app: INestApplication, timeoutMs: number): void {
  const logger = new Logger('Shutdown');
  const server: HttpServer = app.getHttpServer();
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  let drained: (() => void) | null = null;

  server.prependListener('request', (_request, response: ServerResponse) => {
    if (closing) response.setHeader('Connection', 'close');
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (inFlight.size === 0) drained?.();
    });
  });

  const shutDown = async (signal: NodeJS.Signals): Promise<void> => {
    if (closing) return;
    closing = true;
    const started = Date.now();
    setTimeout(() => {
      logger.error(`still busy after ${timeoutMs} ms (${inFlight.size} requests in progress): exiting anyway`);
      process.exit(1);
    }, timeoutMs).unref();
    logger.log(`${signal}: refusing new connections, closing sockets, finishing ${inFlight.size} requests in progress`);

    server.close();
    for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    app.get(NotificationsGateway).closeConnections();
    void app.get(PlainWebSocketGateway).closeConnections();
    if (inFlight.size > 0) await new Promise<void>((resolve) => (drained = resolve));
    server.closeIdleConnections();

    await app.close();
    logger.log(`stopped cleanly in ${Date.now() - started} ms`);
    process.exit(0);
  };

  for (const signal of signals) {
    process.once(signal, (received: NodeJS.Signals) => {
      shutDown(received).catch((error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
      });
    });
  }
}
