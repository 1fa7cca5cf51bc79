import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express, Request, Response } from 'express';
import { PrototypedExpressAdapter } from './express-adapter';

describe('PrototypedExpressAdapter', () => {
  let server: Server;
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it("serves requests whose prototype Express's per-request swap leaves unchanged", async () => {
    const adapter = new PrototypedExpressAdapter();
    adapter.initHttpServer({});
    const app = adapter.getInstance<Express>();
    server = adapter.getHttpServer();
    const builtWith = new WeakMap<object, object | null>();
    server.prependListener('request', (request: object, response: object) => {
      builtWith.set(request, Object.getPrototypeOf(request));
      builtWith.set(response, Object.getPrototypeOf(response));
    });
    app.get('/echo', (request: Request, response: Response) => {
      response.json({
        requestKept: Object.getPrototypeOf(request) === builtWith.get(request),
        responseKept: Object.getPrototypeOf(response) === builtWith.get(response),
        // Express's own request and response API still works.
        sameApp: request.app === app && response.app === app,
        header: request.get('x-probe'),
        query: request.query.q,
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const reply = await fetch(`http://127.0.0.1:${port}/echo?q=1`, { headers: { 'x-probe': 'yes' } });

    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ requestKept: true, responseKept: true, sameApp: true, header: 'yes', query: '1' });
  });
});
