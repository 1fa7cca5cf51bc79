import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io, Socket } from 'socket.io-client';
import { SOCKET_PATH } from '@clinic/contracts';
import { MetricsService } from '../src/metrics/metrics.service';
import { closeRawConnections, rawRequest, RawResponse } from './support/raw-http';
import { createTestDatabase, startTestApp, TestApp, TestDatabase } from './support/test-app';

/** The policy every answer carries; a page adds its style nonce, the API docs inline styles. */
const CSP =
  "default-src 'self';script-src 'self';style-src 'self';connect-src 'self';img-src 'self' data:;" +
  "frame-ancestors 'none';base-uri 'self';form-action 'self';object-src 'none'";
const pageCsp = (nonce: string) => CSP.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`);
const METRICS_TOKEN = 'metrics-token-for-the-tests-0123456789abcdef';
const PARTNER_ORIGIN = 'https://partner.example';
/** A built script named by its content hash, as Angular names them; larger than the compression threshold (1 KB). */
const HASHED_SCRIPT_PATH = '/chunk-3XK2QF7L.js';
const HASHED_SCRIPT = 'console.log("clinic notifications");\n'.repeat(200);
const INDEX_HTML = '<!doctype html><html><head><title>Clinic test page</title></head><body><app-root></app-root></body></html>';
const json = { 'Content-Type': 'application/json' };

function expectSecurityHeaders(response: RawResponse): void {
  expect(response.headers).toMatchObject({
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
  });
  expect(response.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(response.headers['x-powered-by']).toBeUndefined();
  expect(response.headers['strict-transport-security']).toBeUndefined();
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('The HTTP edge', () => {
  let database: TestDatabase;
  let frontendDir: string;
  /** The Angular app served from the same process, as `npm start` runs it. */
  let served: TestApp;
  /** Only the API (FRONTEND_DIR=''), as behind nginx. */
  let apiOnly: TestApp;
  let metricsPort: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    frontendDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-frontend-'));
    writeFileSync(path.join(frontendDir, 'index.html'), INDEX_HTML);
    writeFileSync(path.join(frontendDir, 'main-TEST.js'), 'console.log("app");\n');
    writeFileSync(path.join(frontendDir, HASHED_SCRIPT_PATH.slice(1)), HASHED_SCRIPT);
    served = await startTestApp(database, {
      FRONTEND_DIR: frontendDir,
      TRUST_PROXY: 'loopback',
      METRICS_TOKEN,
      ALLOWED_ORIGINS: PARTNER_ORIGIN,
    });
    metricsPort = await freePort();
    apiOnly = await startTestApp(database, { METRICS_PORT: String(metricsPort), API_DOCS: 'false' });
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    closeRawConnections();
    await served?.close();
    await apiOnly?.close();
    await database?.drop();
    rmSync(frontendDir, { recursive: true, force: true });
  });

  describe('security headers', () => {
    it('come on pages, files, API answers, errors and 404s, with one policy for all but pages', async () => {
      const user = await served.createUser('STAFF');
      const answers = {
        page: await rawRequest(served.baseUrl, { method: 'GET', path: '/' }),
        'app route': await rawRequest(served.baseUrl, { method: 'GET', path: '/notifications' }),
        file: await rawRequest(served.baseUrl, { method: 'GET', path: '/main-TEST.js' }),
        api: await rawRequest(served.baseUrl, { method: 'GET', path: '/api/auth/me', headers: { Authorization: `Bearer ${user.token}` } }),
        'api 401': await rawRequest(served.baseUrl, { method: 'GET', path: '/api/auth/me' }),
        'api 404': await rawRequest(served.baseUrl, { method: 'GET', path: '/api/no-such-route' }),
        'body error': await rawRequest(served.baseUrl, { method: 'POST', path: '/api/auth/login', headers: json, body: '{"email":' }),
        'api only': await rawRequest(apiOnly.baseUrl, { method: 'GET', path: '/api/health' }),
        'api only 404': await rawRequest(apiOnly.baseUrl, { method: 'GET', path: '/' }),
      };
      expect(Object.entries(answers).map(([name, response]) => [name, response.status])).toEqual([
        ['page', 200],
        ['app route', 200],
        ['file', 200],
        ['api', 200],
        ['api 401', 401],
        ['api 404', 404],
        ['body error', 400],
        ['api only', 200],
        ['api only 404', 404],
      ]);
      for (const [name, response] of Object.entries(answers)) {
        expectSecurityHeaders(response);
        if (name !== 'page' && name !== 'app route') expect([name, response.headers['content-security-policy']]).toEqual([name, CSP]);
      }
    });

    it('give each page a style nonce of its own, which the page hands to Angular', async () => {
      const pages = await Promise.all([1, 2].map(() => rawRequest(served.baseUrl, { method: 'GET', path: '/orders' })));
      const nonces = pages.map((page) => {
        const nonce = /'nonce-([^']+)'/.exec(String(page.headers['content-security-policy'] ?? ''))?.[1];
        expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
        expect(page.headers['content-security-policy']).toBe(pageCsp(nonce!));
        expect(page.text).toContain(`<app-root ngCspNonce="${nonce}"></app-root>`);
        // Never reused from a cache: its nonce and the hashed file names are this build's.
        expect(page.headers['cache-control']).toBe('no-cache');
        return nonce;
      });
      expect(nonces[0]).not.toBe(nonces[1]);
      // index.html asked by name is the same page, not the raw file without a nonce.
      const byName = await rawRequest(served.baseUrl, { method: 'GET', path: '/index.html' });
      expect(byName.text).toMatch(/<app-root ngCspNonce="[^"]+">/);
    });

    it('let the API docs apply their inline styles, never inline scripts', async () => {
      const docs = await rawRequest(served.baseUrl, { method: 'GET', path: '/api/docs' });
      expect(docs.status).toBe(200);
      expect(docs.headers['content-security-policy']).toBe(CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"));
    });

    it('include HSTS only for a request that came over HTTPS through a trusted proxy', async () => {
      const viaTls = { 'X-Forwarded-Proto': 'https' };
      const trusted = await rawRequest(served.baseUrl, { method: 'GET', path: '/api/health', headers: viaTls });
      expect(trusted.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const page = await rawRequest(served.baseUrl, { method: 'GET', path: '/', headers: viaTls });
      expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const plain = await rawRequest(served.baseUrl, { method: 'GET', path: '/api/health' });
      expect(plain.headers['strict-transport-security']).toBeUndefined();
      // Without TRUST_PROXY the header is a client's claim, not a fact.
      const untrusted = await rawRequest(apiOnly.baseUrl, { method: 'GET', path: '/api/health', headers: viaTls });
      expect(untrusted.headers['strict-transport-security']).toBeUndefined();
    });
  });

  describe('routing', () => {
    const jsonNotFound = (method: string, url: string) => ({ statusCode: 404, message: `Cannot ${method} ${url}`, error: 'Not Found' });

    it.each([
      '/api/METRICS',
      '/api/metrics/',
      '/api/Health',
      '/api/health/',
      '/API/health',
      '/api/no-such-route',
      '/api/auth/me/extra',
      '/api',
      '/api/',
      '/socket.io',
      '/SOCKET.IO/x',
      '/ws/notifications/',
      '/ws',
    ])('answers %s with the JSON 404, never the app page, also when the app is served', async (url) => {
      for (const app of [served, apiOnly]) {
        const response = await rawRequest(app.baseUrl, { method: 'GET', path: url });
        expect([url, response.status, response.json]).toEqual([url, 404, jsonNotFound('GET', url)]);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
      }
    });

    it('never answers an unknown /socket.io/ path with the app page', async () => {
      for (const url of ['/socket.io/', '/socket.io/index.html', '/socket.io/?EIO=4&transport=nothing']) {
        const response = await rawRequest(served.baseUrl, { method: 'GET', path: url });
        expect([url, response.status]).toEqual([url, 400]);
        expect(response.text).not.toContain('Clinic test page');
      }
    });

    it.each(['/ws/unknown', '/ws/notifications', '/api/health', '/'])('answers a WebSocket upgrade on %s with an HTTP 404 at once', async (url) => {
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(new URL(served.baseUrl).port), '127.0.0.1', () =>
          socket.write(`GET ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
        );
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
      expect(Date.now() - started).toBeLessThan(500);
    });

    it('serves the app page for the app routes, and only for GET', async () => {
      const page = await rawRequest(served.baseUrl, { method: 'GET', path: '/admin/users' });
      expect([page.status, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
      expect(page.text).toContain('Clinic test page');
      const posted = await rawRequest(served.baseUrl, { method: 'POST', path: '/admin/users', headers: json, body: '{}' });
      expect([posted.status, posted.json]).toEqual([404, jsonNotFound('POST', '/admin/users')]);
    });
  });

  describe('keep-alive', () => {
    it('keeps an idle connection open past Node’s default 5 s, so a client’s next request on it is answered, not reset', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const get = () =>
        new Promise<{ status: number; socket: net.Socket }>((resolve, reject) => {
          const request = http.get(`${served.baseUrl}/api/health`, { agent }, (response) => {
            response.resume();
            response.on('end', () => resolve({ status: response.statusCode ?? 0, socket: request.socket! }));
          });
          request.on('error', reject);
        });
      try {
        const first = await get();
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        const second = await get();

        expect([first.status, second.status]).toEqual([200, 200]);
        expect(second.socket).toBe(first.socket);
      } finally {
        agent.destroy();
      }
    }, 15_000);
  });

  describe('caching and compression of the app', () => {
    it('sends hashed files compressed as asked (brotli, gzip) and cacheable for a year; pages and other files are revalidated', async () => {
      for (const encoding of ['br', 'gzip']) {
        const file = await fetch(`${served.baseUrl}${HASHED_SCRIPT_PATH}`, { headers: { 'Accept-Encoding': encoding } });
        expect([file.status, file.headers.get('content-encoding'), file.headers.get('cache-control')]).toEqual([200, encoding, 'public, max-age=31536000, immutable']);
        expect(file.headers.get('vary')).toMatch(/accept-encoding/i);
        expect(await file.text()).toBe(HASHED_SCRIPT);
      }
      const plain = await rawRequest(served.baseUrl, { method: 'GET', path: HASHED_SCRIPT_PATH });
      expect([plain.headers['content-encoding'], plain.text]).toEqual([undefined, HASHED_SCRIPT]);

      const page = await fetch(`${served.baseUrl}/orders`, { headers: { 'Accept-Encoding': 'br, gzip' } });
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const unhashed = await fetch(`${served.baseUrl}/main-TEST.js`);
      expect(unhashed.headers.get('cache-control')).toBe('no-cache');
      expect(unhashed.headers.get('etag')).toBeTruthy();
    });

    it('leaves API answers uncompressed (they carry tokens beside what a client sends)', async () => {
      const health = await fetch(`${served.baseUrl}/api/health`, { headers: { 'Accept-Encoding': 'br, gzip' } });
      expect([health.status, health.headers.get('content-encoding')]).toEqual([200, null]);
    });
  });

  describe('request bodies with the app served', () => {
    const MB = 1024 * 1024;
    it.each([
      ['malformed JSON', json, '{"email":', 400, /JSON/],
      ['a body over 100 kB', json, JSON.stringify({ email: 'x'.repeat(100 * 1024) }), 413, /^request entity too large$/],
      ['a 1 MB body', json, JSON.stringify({ email: 'x'.repeat(MB) }), 413, /^request entity too large$/],
      ['an unknown charset', { 'Content-Type': 'application/json; charset=latin1' }, '{}', 415, /charset/],
      ['UTF-16', { 'Content-Type': 'application/json; charset=utf-16le' }, Buffer.from('{}', 'utf16le'), 415, /UTF-8/],
      ['invalid UTF-8', json, Buffer.from('{"email":"\xff\xfe"}', 'latin1'), 400, /UTF-8/],
      ['Content-Type text/plain', { 'Content-Type': 'text/plain' }, '{"email":"a@b.c","password":"x"}', 400, /Content-Type: application\/json/],
      ['a form', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'email=a', 400, /Content-Type: application\/json/],
    ])('refuses %s as the API alone does', async (_label, headers, body, status, message) => {
      const answers = await Promise.all(
        [served, apiOnly].map((app) => rawRequest(app.baseUrl, { method: 'POST', path: '/api/auth/login', headers, body })),
      );
      for (const response of answers) {
        expect(response.status).toBe(status);
        expect(response.json).toEqual(expect.objectContaining({ statusCode: status, message: expect.stringMatching(message) }));
      }
      expect(answers[0].json).toEqual(answers[1].json);
    });
  });

  describe('metrics and API docs', () => {
    const scrape = (baseUrl: string, authorization?: string) =>
      rawRequest(baseUrl, { method: 'GET', path: '/api/metrics', headers: authorization ? { Authorization: authorization } : {} });

    it('with METRICS_TOKEN, answer /api/metrics only to its bearer', async () => {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(0, -1)}`, METRICS_TOKEN, `Basic ${METRICS_TOKEN}`]) {
        const refused = await scrape(served.baseUrl, authorization);
        expect([authorization, refused.status]).toEqual([authorization, 401]);
        expect(refused.text).not.toContain('clinic_');
      }
      const allowed = await scrape(served.baseUrl, `Bearer ${METRICS_TOKEN}`);
      expect(allowed.status).toBe(200);
      expect(allowed.text).toContain('# TYPE clinic_connected_sockets gauge');
    });

    it('with METRICS_PORT, serve metrics on that port only, not on the app port', async () => {
      const onAppPort = await scrape(apiOnly.baseUrl);
      expect([onAppPort.status, onAppPort.json]).toEqual([404, { statusCode: 404, message: 'Cannot GET /api/metrics', error: 'Not Found' }]);
      const metricsUrl = `http://127.0.0.1:${metricsPort}`;
      const scraped = await scrape(metricsUrl);
      expect([scraped.status, scraped.headers['content-type']]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
      expect(scraped.text).toContain('# TYPE clinic_connected_sockets gauge');
      // It measures the app port's traffic, such as the 404 just answered there.
      expect(scraped.text).toMatch(/clinic_http_request_duration_seconds_count\{method="GET",route="[^"]+",status="404"\} [1-9]/);
      for (const other of ['/', '/api/health', '/api/metrics/', '/metrics']) {
        expect([other, (await rawRequest(metricsUrl, { method: 'GET', path: other })).status]).toEqual([other, 404]);
      }
    });

    it('serve the OpenAPI UI and document unless API_DOCS=false', async () => {
      for (const url of ['/api/docs', '/api/docs-json']) {
        expect([url, (await rawRequest(served.baseUrl, { method: 'GET', path: url })).status]).toEqual([url, 200]);
        const closed = await rawRequest(apiOnly.baseUrl, { method: 'GET', path: url });
        expect([url, closed.status, closed.text]).toEqual([url, 404, expect.not.stringContaining('swagger')]);
      }
    });

    it('with both, ask for the token on the metrics port too; and close that port with the application', async () => {
      const port = await freePort();
      const app = await startTestApp(database, { METRICS_PORT: String(port), METRICS_TOKEN });
      const metricsUrl = `http://127.0.0.1:${port}`;
      const refused = await scrape(metricsUrl, 'Bearer wrong');
      expect([refused.status, refused.headers['www-authenticate']]).toEqual([401, 'Bearer']);
      expect((await scrape(metricsUrl, `Bearer ${METRICS_TOKEN}`)).status).toBe(200);
      await app.close();
      // fetch opens a new connection (the raw client's pool would reuse the closed one).
      await expect(fetch(`http://127.0.0.1:${port}/api/metrics`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    });
  });

  describe('Socket.IO handshakes', () => {
    function open(origin: string | undefined, token: string, transport: 'websocket' | 'polling'): Promise<'connected' | Error> {
      const socket = io(served.baseUrl, {
        path: SOCKET_PATH,
        auth: { token },
        transports: [transport],
        extraHeaders: origin ? { origin } : {},
        forceNew: true,
        reconnection: false,
      });
      sockets.push(socket);
      return new Promise((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', resolve);
      });
    }
    const connectedSockets = () => served.app.get(MetricsService).connectedSockets.get().then((metric) => metric.values[0]?.value ?? 0);

    it.each(['websocket', 'polling'] as const)('refuses a page of another origin over %s, before the token is looked at', async (transport) => {
      const user = await served.createUser('STAFF');
      const before = await connectedSockets();
      // `null` is what a sandboxed frame or a file:// page sends.
      for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
        const outcome = await open(origin, user.token, transport);
        expect([origin, outcome instanceof Error]).toEqual([origin, true]);
      }
      expect(await connectedSockets()).toBeLessThanOrEqual(before);
    });

    it.each(['websocket', 'polling'] as const)('lets the app\'s own origin, an allowed origin and clients without Origin connect over %s', async (transport) => {
      const user = await served.createUser('STAFF');
      for (const origin of [served.baseUrl, PARTNER_ORIGIN, undefined]) {
        expect([origin, await open(origin, user.token, transport)]).toEqual([origin, 'connected']);
      }
    });

    it("sends Engine.IO's own answers (long-polling) with headers that let nothing load or frame them", async () => {
      const response = await rawRequest(served.baseUrl, { method: 'GET', path: `${SOCKET_PATH}/?EIO=4&transport=polling` });
      expect(response.status).toBe(200);
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      });
    });

    it('answers a refused handshake with 403 Forbidden', async () => {
      const response = await rawRequest(served.baseUrl, {
        method: 'GET',
        path: `${SOCKET_PATH}/?EIO=4&transport=polling`,
        headers: { Origin: 'https://evil.example' },
      });
      expect([response.status, response.json]).toEqual([403, { code: 4, message: 'Forbidden' }]);
    });
  });
});
