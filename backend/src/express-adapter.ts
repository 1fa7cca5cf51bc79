import http from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Nest's Express adapter with an HTTP server that creates every request and response with
 * Express's prototype already in place.
 *
 * Express 5 gives each incoming request and response a new prototype on arrival
 * (`Object.setPrototypeOf` in `app.handle`). V8 then keeps each request's objects alive through
 * the young-generation collections that follow: under load a large share of the bytes the
 * request path allocated were promoted to the old generation (read with `--trace-gc-nvp`), and
 * with thousands of sockets held the full collections this forced stalled the event loop. Here
 * the server builds them from subclasses of Node's request and response whose prototypes are
 * Express's: the swap finds the prototype it would set and changes nothing, promotion almost
 * stops and the request path allocates much less (figures in docs/performance.md).
 */
export class PrototypedExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions || options.forceCloseConnections) {
      // Neither is used here (TLS ends at the proxy); Nest's own server handles them as before.
      super.initHttpServer(options);
      return;
    }
    const app = this.getInstance<Express>();
    class ExpressRequest extends http.IncomingMessage {}
    class ExpressResponse extends http.ServerResponse {}
    app.request = takeOver(ExpressRequest.prototype, app.request);
    app.response = takeOver(ExpressResponse.prototype, app.response);
    this.httpServer = http.createServer({ IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse }, app);
  }
}

/**
 * Makes `prototype` stand in for Express's `current` one: the same own properties (`app`) and
 * the same chain behind it (Express's methods, then Node's).
 */
function takeOver<T extends object>(prototype: object, current: T): T {
  Object.setPrototypeOf(prototype, Object.getPrototypeOf(current));
  Object.defineProperties(prototype, Object.getOwnPropertyDescriptors(current));
  return prototype as T;
}
