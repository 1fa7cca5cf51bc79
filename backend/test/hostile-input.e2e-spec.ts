// Long on purpose: one suite builds the catalogue of hostile REST requests, socket commands and
// raw frames (some 300 lines of case tables), then runs each against one server and compares the
// database row by row before and after. Splitting it would mean starting that server, and
// snapshotting that database, once per file.
import { once } from 'node:events';
import querystring from 'node:querystring';
import WebSocket from 'ws';
import { ClientEvent, ServerEvent, SOCKET_PATH, SocketError, userRoom } from '@clinic/contracts';
import { accepts, FieldKind, HOSTILE_VALUES } from './support/hostile-values';
import { closeRawConnections, inPool, rawRequest, RawRequest, RawResponse } from './support/raw-http';
import { closeAllSockets, connect, RecordingSocket } from './support/sockets';
import { createTestDatabase, startTestApp, TestApp, TestDatabase, TestUser } from './support/test-app';

/** What an accepted case wrote, so the database can be checked for exactly that afterwards. */
type Write = { sent: string } | { ordered: string };

interface RestCase {
  label: string;
  request: RawRequest;
  /** `refuse`: a 4xx with a message. `accept`: hostile-looking but valid, a 2xx. */
  expect: 'refuse' | 'accept';
  writes?: Write;
}

interface BodyRoute {
  name: string;
  method: string;
  path: string;
  base: Record<string, unknown>;
  fields: Array<[path: string, kind: FieldKind]>;
  /** Login and refresh answer 401/429 even to a well-formed body. */
  alwaysRefused?: boolean;
  /** The body may be left out or empty (logout: the browser's cookie, or the access token, names the session). */
  bodyOptional?: boolean;
  /** Each field may be left out (it keeps its value), though not all of them (the settings). */
  eachFieldOptional?: boolean;
  writes?: (body: Record<string, unknown>) => Write;
}

const json = { 'Content-Type': 'application/json' };
/** Sign-in, refresh and logout take no access token; changing one's password does. */
const isPublic = (path: string) => path.startsWith('/api/auth/') && path !== '/api/auth/change-password';
const HOSTILE_EMAIL = 'hostile@clinic.test';
const MB = 1024 * 1024;

/** Where each REST case was sent, for the summary. */
const tally = { rest: 0, refused: 0, accepted: 0, socket: 0, frames: 0 };

describe('Hostile input', () => {
  let database: TestDatabase;
  let server: TestApp;
  /** Acts on every route; admin, so that role checks do not hide what validation does. */
  let actor: TestUser;
  /** Receives the hostile-but-valid admin notifications. */
  let sink: TestUser;
  /** Owns data no hostile request may change. */
  let victim: TestUser;
  let victimNotificationId: string;
  let victimOrderId: string;
  /** A team the valid cases rename and set the members of. */
  let hostileTeamId: string;
  /** A team whose name every well-formed team creation repeats, so it is refused (409). */
  const TAKEN_TEAM_NAME = 'Taken team name';

  beforeAll(async () => {
    database = await createTestDatabase();
    // The cases come faster than any person: lift the per-socket budget (tested in abuse.e2e-spec).
    // One failed sign-in blocks the hostile email, so well-formed login cases get 429 at once
    // rather than each costing a deliberately slow password hash.
    server = await startTestApp(database, { SOCKET_EVENTS_PER_SECOND: '100000', SOCKET_EVENT_BURST: '100000', LOGIN_MAX_FAILURES: '1' });
    [actor, sink, victim] = await Promise.all([server.createUser('ADMIN'), server.createUser('STAFF'), server.createUser('STAFF')]);
    const blocked = await rawRequest(server.baseUrl, {
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: JSON.stringify({ email: HOSTILE_EMAIL, password: 'wrong' }),
    });
    expect(blocked.status).toBe(401);
    const sent = await rawRequest(server.baseUrl, {
      method: 'POST',
      path: '/api/notifications/test',
      headers: { ...json, Authorization: `Bearer ${actor.token}` },
      body: JSON.stringify({ title: 'For the victim', message: 'Keep me', target: { userId: victim.id } }),
    });
    expect(sent.status).toBe(201);
    victimNotificationId = (await server.prisma.notification.findFirstOrThrow({ where: { userId: victim.id } })).id;
    const order = await rawRequest(server.baseUrl, {
      method: 'POST',
      path: '/api/orders',
      headers: { ...json, Authorization: `Bearer ${victim.token}` },
      body: JSON.stringify({ patientName: 'Victim patient', description: 'Keep me', total: '12.50' }),
    });
    expect(order.status).toBe(201);
    victimOrderId = (order.json as { id: string }).id;
    await server.prisma.notificationPreference.create({ data: { userId: victim.id, type: 'GENERAL', muted: true } });
    hostileTeamId = (await server.prisma.team.create({ data: { name: 'Hostile ward' } })).id;
    await server.prisma.team.create({ data: { name: TAKEN_TEAM_NAME, members: { create: { userId: victim.id } } } });
  });

  afterEach(() => closeAllSockets());

  afterAll(async () => {
    closeRawConnections();
    await server?.close();
    await database?.drop();
    console.log(
      `hostile input: ${tally.rest + tally.socket + tally.frames} cases — ${tally.rest} REST (${tally.refused} refused with 4xx, ` +
        `${tally.accepted} hostile-looking but valid, stored verbatim), ${tally.socket} socket commands, ${tally.frames} raw Socket.IO frames`,
    );
  });

  const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

  /** Everything outside the actor's and the sink's own rows (and the hostile team), which only valid cases may change. */
  async function snapshot() {
    const { prisma } = server;
    const others = { notIn: [actor.id, sink.id] };
    return {
      users: await prisma.user.findMany({ where: { id: others }, orderBy: { id: 'asc' } }),
      teams: await prisma.team.findMany({ where: { id: { not: hostileTeamId } }, include: { members: { orderBy: { userId: 'asc' } } }, orderBy: { id: 'asc' } }),
      notifications: await prisma.notification.findMany({ where: { userId: others }, orderBy: { seq: 'asc' } }),
      orders: await prisma.order.findMany({ where: { createdById: others }, orderBy: { id: 'asc' } }),
      preferences: await prisma.notificationPreference.findMany({ where: { userId: others }, orderBy: [{ userId: 'asc' }, { type: 'asc' }] }),
      refreshTokens: await prisma.refreshToken.count(),
      idempotencyRecords: await prisma.idempotencyRecord.count(),
    };
  }

  async function expectServing(): Promise<void> {
    const health = await rawRequest(server.baseUrl, { method: 'GET', path: '/api/health' });
    expect([health.status, health.json]).toEqual([200, expect.objectContaining({ status: 'ok', database: 'up' })]);
    const list = await rawRequest(server.baseUrl, { method: 'GET', path: '/api/notifications', headers: bearer(victim) });
    expect(list.status).toBe(200);
  }

  // ---- REST cases ------------------------------------------------------------------------

  function bodyRoutes(): BodyRoute[] {
    const plainText = (min: number, max: number, extra: object = {}): FieldKind => ({ kind: 'text', min, max, ...extra });
    return [
      {
        name: 'login',
        method: 'POST',
        path: '/api/auth/login',
        base: { email: HOSTILE_EMAIL, password: 'not-the-password' },
        fields: [
          ['email', { kind: 'never' }],
          ['password', { kind: 'string', min: 1, max: 200 }],
        ],
        alwaysRefused: true,
      },
      {
        name: 'refresh',
        method: 'POST',
        path: '/api/auth/refresh',
        base: { refreshToken: 'r'.repeat(32) },
        fields: [['refreshToken', { kind: 'string', min: 16, max: 200 }]],
        alwaysRefused: true,
      },
      {
        name: 'logout',
        method: 'POST',
        path: '/api/auth/logout',
        base: { refreshToken: 'r'.repeat(32) },
        fields: [['refreshToken', { kind: 'string', min: 16, max: 200 }]],
        bodyOptional: true,
      },
      {
        name: 'test send',
        method: 'POST',
        path: '/api/notifications/test',
        base: { title: 'Hostile', message: 'Hostile input', target: { userId: sink.id } },
        fields: [
          ['title', plainText(1, 200)],
          ['message', plainText(1, 2000, { multiline: true })],
          ['type', { kind: 'never', optional: true }],
          ['priority', { kind: 'never', optional: true }],
          ['actionUrl', { kind: 'never', optional: true }],
          ['actionText', plainText(1, 50, { optional: true })],
          ['target', { kind: 'never' }],
          ['target.userId', { kind: 'never' }],
          // Added beside userId: a target must name exactly one of them.
          ['target.teamId', { kind: 'never' }],
          ['target.role', { kind: 'never' }],
          ['target.all', { kind: 'never' }],
        ],
        writes: (body) => ({ sent: `${body.title}\n${body.message}` }),
      },
      {
        name: 'preferences',
        method: 'PUT',
        path: '/api/notifications/preferences',
        base: { preferences: [{ type: 'GENERAL', muted: true }] },
        fields: [
          ['preferences', { kind: 'array-empty-ok' }],
          ['preferences.0', { kind: 'never' }],
          ['preferences.0.type', { kind: 'never' }],
          ['preferences.0.muted', { kind: 'boolean' }],
        ],
      },
      {
        name: 'channel preferences',
        method: 'PUT',
        path: '/api/notifications/preferences',
        base: { preferences: [{ type: 'GENERAL', channels: { email: false, sms: true } }] },
        fields: [
          ['preferences.0.channels', { kind: 'never' }],
          ['preferences.0.channels.email', { kind: 'boolean' }],
          ['preferences.0.channels.sms', { kind: 'boolean' }],
        ],
      },
      {
        name: 'notification settings',
        method: 'PUT',
        path: '/api/notifications/settings',
        base: { timeZone: 'Europe/Zurich', quietHours: { start: '22:00', end: '07:00' }, digestTime: '08:00', hideDetails: false, phone: '+41790000000', language: 'es' },
        fields: [
          ['timeZone', { kind: 'never' }],
          ['quietHours', { kind: 'never', optional: true }],
          ['quietHours.start', { kind: 'never' }],
          ['quietHours.end', { kind: 'never' }],
          ['digestTime', { kind: 'never', optional: true }],
          ['hideDetails', { kind: 'boolean' }],
          ['phone', { kind: 'never', optional: true }],
          ['language', { kind: 'never' }],
        ],
        eachFieldOptional: true,
      },
      {
        name: 'create order',
        method: 'POST',
        path: '/api/orders',
        base: { patientName: 'Hostile', description: 'Hostile input', total: '10.00' },
        fields: [
          ['patientName', plainText(1, 200)],
          ['description', plainText(1, 2000, { multiline: true })],
          ['total', { kind: 'amount' }],
          ['assigneeId', { kind: 'never', optional: true }],
          ['teamId', { kind: 'never', optional: true }],
        ],
        writes: (body) => ({ ordered: `${body.patientName}\n${body.description}` }),
      },
      {
        name: 'order status',
        method: 'PATCH',
        path: `/api/orders/${victimOrderId}/status`,
        base: { status: 'CONFIRMED' },
        fields: [['status', { kind: 'never' }]],
      },
      {
        name: 'change password',
        method: 'POST',
        path: '/api/auth/change-password',
        base: { currentPassword: 'not-the-password', newPassword: 'a-brand-new-passphrase' },
        fields: [
          ['currentPassword', { kind: 'string', min: 1, max: 200 }],
          ['newPassword', { kind: 'string', min: 12, max: 200 }],
        ],
        // The current password is wrong (403), and after one try the account is locked (429).
        alwaysRefused: true,
      },
      {
        name: 'create user',
        method: 'POST',
        path: '/api/users',
        // The victim's email: a well-formed creation is refused (409), so no user is created.
        base: { email: victim.email, name: 'Hostile', role: 'STAFF' },
        fields: [
          ['email', { kind: 'never' }],
          ['name', plainText(1, 200)],
          ['role', { kind: 'never' }],
          ['teamIds', { kind: 'never', optional: true }],
          ['phone', { kind: 'never', optional: true }],
          ['password', { kind: 'string', min: 12, max: 200 }],
        ],
        alwaysRefused: true,
      },
      {
        name: 'update user',
        method: 'PATCH',
        path: `/api/users/${sink.id}`,
        base: { name: 'Hostile sink' },
        fields: [
          ['name', plainText(1, 200)],
          ['role', { kind: 'never' }],
          ['phone', { kind: 'never', optional: true }],
          ['teamIds', { kind: 'array-empty-ok' }],
        ],
      },
      {
        name: 'create team',
        method: 'POST',
        path: '/api/teams',
        base: { name: TAKEN_TEAM_NAME },
        fields: [['userIds', { kind: 'never', optional: true }]],
        alwaysRefused: true,
      },
      {
        name: 'rename team',
        method: 'PATCH',
        path: `/api/teams/${hostileTeamId}`,
        base: { name: 'Hostile ward' },
        fields: [['name', plainText(1, 100)]],
      },
      {
        name: 'team members',
        method: 'PUT',
        path: `/api/teams/${hostileTeamId}/members`,
        base: { userIds: [sink.id] },
        fields: [
          ['userIds', { kind: 'array-empty-ok' }],
          ['userIds.0', { kind: 'never' }],
        ],
      },
    ];
  }

  /** Routes that read no body: any well-formed JSON passes them, so only malformed bytes are cases. */
  function allRoutes(): Array<{ name: string; method: string; path: string; public?: boolean }> {
    return [
      ...bodyRoutes().map(({ name, method, path }) => ({ name, method, path, public: isPublic(path) })),
      { name: 'me', method: 'GET', path: '/api/auth/me' },
      { name: 'list notifications', method: 'GET', path: '/api/notifications' },
      { name: 'unread count', method: 'GET', path: '/api/notifications/unread-count' },
      { name: 'read all', method: 'PATCH', path: '/api/notifications/read-all' },
      { name: 'mark read', method: 'PATCH', path: `/api/notifications/${victimNotificationId}/read` },
      { name: 'delete', method: 'DELETE', path: `/api/notifications/${victimNotificationId}` },
      { name: 'get preferences', method: 'GET', path: '/api/notifications/preferences' },
      { name: 'get settings', method: 'GET', path: '/api/notifications/settings' },
      { name: 'users', method: 'GET', path: '/api/users' },
      { name: 'deactivate', method: 'POST', path: `/api/users/${victim.id}/deactivate` },
      { name: 'reactivate', method: 'POST', path: `/api/users/${victim.id}/reactivate` },
      { name: 'reset password', method: 'POST', path: `/api/users/${victim.id}/reset-password` },
      { name: 'teams', method: 'GET', path: '/api/teams' },
      { name: 'team', method: 'GET', path: `/api/teams/${hostileTeamId}` },
      { name: 'delete team', method: 'DELETE', path: `/api/teams/${hostileTeamId}` },
      { name: 'audit', method: 'GET', path: '/api/audit' },
      { name: 'list orders', method: 'GET', path: '/api/orders' },
      { name: 'order', method: 'GET', path: `/api/orders/${victimOrderId}` },
      { name: 'payment', method: 'POST', path: `/api/orders/${victimOrderId}/payment` },
      { name: 'health', method: 'GET', path: '/api/health', public: true },
    ];
  }

  function setPath(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const copy = structuredClone(base);
    const keys = path.split('.');
    let at = copy as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
    at[keys[keys.length - 1]] = value;
    return copy;
  }

  /** Bytes that body-parser itself refuses, on any route, before a handler runs. */
  const MALFORMED_BODIES: Array<[label: string, body: string | Buffer, headers?: Record<string, string>]> = [
    ['truncated JSON', '{"title":'],
    ['unquoted keys', '{title:"x"}'],
    ['single quotes', "{'title':'x'}"],
    ['trailing comma', '{"a":1,}'],
    ['NaN literal', '{"a":NaN}'],
    ['a comment', '{"a":1 /* x */}'],
    ['trailing garbage', '{"a":1}garbage'],
    ['two documents', '{"a":1}{"b":2}'],
    ['XML', '<?xml version="1.0"?><a/>'],
    ['form fields', 'title=x&message=y'],
    ['a NUL byte', '\u0000'],
    ['JSON null', 'null'],
    ['a bare number', '42'],
    ['a bare string', '"x"'],
    ['invalid UTF-8 bytes', Buffer.from('{"title":"\xff\xfe"}', 'latin1')],
    ['an overlong UTF-8 slash', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d])],
    ['an encoded surrogate (CESU-8)', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
    ['UTF-16', Buffer.from('{}', 'utf16le'), { 'Content-Type': 'application/json; charset=utf-16le' }],
    ['an unsupported charset', '{}', { 'Content-Type': 'application/json; charset=latin1' }],
    ['gzip that is not gzip', '{}', { 'Content-Encoding': 'gzip' }],
    ['an unsupported encoding', '{}', { 'Content-Encoding': 'compress' }],
    ['more than 100 kB', JSON.stringify({ a: 'x'.repeat(100 * 1024) })],
    ['a 1 MB string', JSON.stringify({ a: 'x'.repeat(MB + 1) })],
  ];

  function nested(depth: number, open: string, close: string, inner = '1'): string {
    return open.repeat(depth) + inner + close.repeat(depth);
  }

  /** Well-formed JSON of the wrong shape, for routes that read a body. */
  function shapeCases(route: BodyRoute): Array<[label: string, body: string, headers?: Record<string, string>]> {
    const base = JSON.stringify(route.base);
    const withKey = (key: string, value: string) => `{"${key}":${value},${base.slice(1)}`;
    return [
      ['an empty body', ''],
      ['true', 'true'],
      ['an empty array', '[]'],
      ['the valid body inside an array', `[${base}]`],
      ['an empty object', '{}'],
      ['a __proto__ key', withKey('__proto__', '{"isAdmin":true,"role":"ADMIN"}')],
      ['a constructor key', withKey('constructor', '{"prototype":{"isAdmin":true}}')],
      ['a prototype key', withKey('prototype', '{"isAdmin":true}')],
      ['a nested __proto__ key', withKey('meta', '{"__proto__":{"isAdmin":true}}')],
      ['objects nested 1,000 deep', withKey('x', nested(1000, '{"a":', '}'))],
      ['objects nested 15,000 deep', withKey('x', nested(15_000, '{"a":', '}'))],
      ['arrays nested 45,000 deep', withKey('x', nested(45_000, '[', ']'))],
      ['a top-level array nested 45,000 deep', nested(45_000, '[', ']', '')],
      ...(
        [
          ['isAdmin', 'true'],
          ['role', '"ADMIN"'],
          ['createdById', `"${victim.id}"`],
        ] as const
      )
        // Unknown to this route, that is: PATCH /users/:id does take a role.
        .filter(([key]) => !route.fields.some(([field]) => field === key))
        .map(([key, value]): [string, string] => [`an unknown field ${key}`, withKey(key, value)]),
      ['an operator key', withKey('$where', '"1==1"')],
      ...Object.keys(route.base).map((field): [string, string] => {
        const { [field]: _dropped, ...rest } = route.base;
        return [`no ${field}`, JSON.stringify(rest)];
      }),
      ['Content-Type text/plain', base, { 'Content-Type': 'text/plain' }],
      ['a form Content-Type', base, { 'Content-Type': 'application/x-www-form-urlencoded' }],
      ['a multipart Content-Type', base, { 'Content-Type': 'multipart/form-data; boundary=x' }],
      ['Content-Type application/xml', base, { 'Content-Type': 'application/xml' }],
      ['a +json Content-Type', base, { 'Content-Type': 'application/merge-patch+json' }],
      ['no Content-Type', base, { 'Content-Type': '' }],
    ];
  }

  function restCases(): RestCase[] {
    const cases: RestCase[] = [];
    const auth = bearer(actor);
    const headersFor = (route: { public?: boolean }, extra: Record<string, string> = {}) => {
      const headers: Record<string, string> = { ...json, ...(route.public ? {} : auth), ...extra };
      for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
      return headers;
    };

    for (const route of bodyRoutes()) {
      for (const [path, kind] of route.fields) {
        for (const [label, value] of HOSTILE_VALUES) {
          const body = setPath(route.base, path, value);
          const valid = accepts(kind, value) && !route.alwaysRefused;
          cases.push({
            label: `${route.name}: ${path} = ${label}`,
            request: { method: route.method, path: route.path, headers: headersFor({ public: isPublic(route.path) }), body: JSON.stringify(body) },
            expect: valid ? 'accept' : 'refuse',
            writes: valid ? route.writes?.(body) : undefined,
          });
        }
      }
      const withoutBody = new Set(['an empty body', 'an empty object', ...route.fields.map(([field]) => `no ${field}`)]);
      const withoutOneField = new Set(Object.keys(route.base).map((field) => `no ${field}`));
      for (const [label, body, headers] of shapeCases(route)) {
        const accepted = (route.bodyOptional && withoutBody.has(label)) || (route.eachFieldOptional && withoutOneField.has(label));
        cases.push({
          label: `${route.name}: ${label}`,
          request: { method: route.method, path: route.path, headers: headersFor({ public: isPublic(route.path) }, headers), body },
          expect: accepted ? 'accept' : 'refuse',
        });
      }
    }

    for (const route of allRoutes()) {
      for (const [label, body, headers] of MALFORMED_BODIES) {
        cases.push({ label: `${route.name}: body is ${label}`, request: { method: route.method, path: route.path, headers: headersFor(route, headers), body }, expect: 'refuse' });
      }
    }
    cases.push({
      label: 'test send: body is 10 MB of whitespace',
      request: { method: 'POST', path: '/api/notifications/test', headers: headersFor({}), body: ' '.repeat(10 * MB) },
      expect: 'refuse',
    });

    const staffToken = victim.token;
    const [header, payload, signature] = staffToken.split('.');
    const asAdmin = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'ADMIN' })).toString('base64url');
    const authorizations: Array<[string, string | undefined]> = [
      ['no Authorization', undefined],
      ['an empty Bearer', 'Bearer'],
      ['Bearer and a space', 'Bearer '],
      ['Basic credentials', 'Basic dXNlcjpwYXNz'],
      ['a lowercase scheme', `bearer ${staffToken}`],
      ['another scheme', `Token ${staffToken}`],
      ['two spaces', `Bearer  ${staffToken}`],
      ['a tampered signature', `Bearer ${staffToken}x`],
      ['a payload rewritten to ADMIN', `Bearer ${header}.${asAdmin}.${signature}`],
      ['two segments', 'Bearer a.b'],
      ['four segments', 'Bearer a.b.c.d'],
      ['a 5 kB token', `Bearer ${'x'.repeat(5000)}`],
      ['two tokens', `Bearer ${staffToken}, Bearer ${staffToken}`],
      ['SQL', "Bearer ' OR 1=1 --"],
    ];
    for (const route of allRoutes().filter((candidate) => !candidate.public)) {
      for (const [label, authorization] of authorizations) {
        const headers: Record<string, string> = { ...json, ...(authorization === undefined ? {} : { Authorization: authorization }) };
        const body = bodyRoutes().find((candidate) => candidate.path === route.path && candidate.method === route.method)?.base;
        cases.push({ label: `${route.name}: ${label}`, request: { method: route.method, path: route.path, headers, body: body ? JSON.stringify(body) : undefined }, expect: 'refuse' });
      }
    }

    // The query string as the server parses it (Express 5: node:querystring), judged by the documented rules.
    const seq = (value: unknown) => typeof value === 'string' && /^(0|[1-9][0-9]{0,18})$/.test(value) && BigInt(value) < 2n ** 63n;
    const limit = (value: unknown) => typeof value === 'string' && Number.isInteger(Number(value)) && Number(value) >= 1 && Number(value) <= 100;
    const searchText = (value: unknown) => accepts({ kind: 'text', min: 1, max: 200 }, value);
    const uuid = (value: unknown) => typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
    const queryRoutes: Array<[route: string, params: Record<string, (value: unknown) => boolean>]> = [
      ['/api/notifications', { cursor: seq, limit, unread: (value) => value === 'true' || value === 'false' }],
      ['/api/orders', { cursor: () => false, limit }],
      // A cursor must name a user on the list: none of the values does.
      ['/api/users', { q: searchText, cursor: () => false, limit }],
      // None of the values is an action or an ISO time with a zone.
      ['/api/audit', { cursor: seq, limit, actorId: uuid, action: () => false, from: () => false, to: () => false }],
    ];
    const queryValues = [
      '', '-1', '-9223372036854775809', '9223372036854775808', '99999999999999999999', '1e3', '0x10', '1.5', 'NaN', 'Infinity',
      'null', 'undefined', 'true', 'yes', '[]', '%7B%7D', '%00', '5%00', '%FF', '%C0%AF', '%20%205', '%2B5', '%D9%A3',
      "'%20OR%20'1'%3D'1", '1%3B%20DROP%20TABLE%20%22Notification%22', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'a'.repeat(8000),
      '00000000-0000-0000-0000-000000000000', '0', '100', '101',
    ];
    for (const [path, params] of queryRoutes) {
      for (const [param, valid] of Object.entries(params)) {
        for (const raw of queryValues) {
          const query = `${param}=${raw}`;
          const ok = valid(querystring.parse(query)[param]);
          cases.push({ label: `GET ${path}?${query.slice(0, 60)}`, request: { method: 'GET', path: `${path}?${query}`, headers: auth }, expect: ok ? 'accept' : 'refuse' });
        }
      }
      for (const query of [
        'limit=1&limit=2', 'cursor=1&cursor=2', 'limit[]=5', 'limit[a]=5', 'cursor[$gt]=', '__proto__=1', '__proto__[isAdmin]=1',
        'constructor=1', 'constructor[prototype][x]=1', 'prototype=1', 'page=2', 'unread=true&admin=1', 'limit=5;cursor=1',
        `${'p'.repeat(100)}=1`, `x=${'y'.repeat(8000)}`,
      ]) {
        cases.push({ label: `GET ${path}?${query.slice(0, 60)}`, request: { method: 'GET', path: `${path}?${query}`, headers: auth }, expect: 'refuse' });
      }
    }

    const ids = [
      '%00', 'abc%00', `${victimNotificationId}%00`, `${victimOrderId}%00`, '%FF', '%C0%AF', 'abc', '0', '-1', '1e3',
      "'%20OR%20'1'%3D'1", '1%3BDROP%20TABLE%20%22Order%22', '%3Cscript%3E', '..', '%2E%2E', '..%2F..%2Fusers', '__proto__',
      'constructor', 'x'.repeat(5000), victimNotificationId.toUpperCase(), victimOrderId.toUpperCase(),
      '00000000-0000-0000-0000-000000000000', `%20${victimOrderId}`, `${victimNotificationId}%20`, '%5Bobject%20Object%5D', 'null',
      '%E2%80%AE', '%F0%9F%A9%BA',
    ];
    const idRoutes: Array<[name: string, method: string, path: (id: string) => string, body?: object]> = [
      ['mark read', 'PATCH', (id) => `/api/notifications/${id}/read`],
      ['delete', 'DELETE', (id) => `/api/notifications/${id}`],
      ['order status', 'PATCH', (id) => `/api/orders/${id}/status`, { status: 'CONFIRMED' }],
      ['payment', 'POST', (id) => `/api/orders/${id}/payment`],
      ['order', 'GET', (id) => `/api/orders/${id}`],
      ['team', 'GET', (id) => `/api/teams/${id}`],
      ['team members', 'PUT', (id) => `/api/teams/${id}/members`, { userIds: [] }],
      ['reset password', 'POST', (id) => `/api/users/${id}/reset-password`],
    ];
    for (const [name, method, path, body] of idRoutes) {
      for (const id of ids) {
        cases.push({
          label: `${name}: id ${id.slice(0, 50)}`,
          request: { method, path: path(id), headers: { ...json, ...auth }, body: body ? JSON.stringify(body) : undefined },
          expect: 'refuse',
        });
      }
    }

    for (const path of [
      '/socket.io/?EIO=3&transport=polling',
      '/socket.io/?EIO=4&transport=carrier-pigeon',
      '/socket.io/?EIO=4&transport=polling&sid=no-such-session',
      '/socket.io/?EIO=4&transport=polling&sid=%00',
      '/socket.io/?EIO=4',
    ]) {
      cases.push({ label: `Socket.IO handshake ${path}`, request: { method: 'GET', path }, expect: 'refuse' });
    }
    return cases;
  }

  /** Problems with one response, or [] when it is what the case expects. */
  function judge(testCase: RestCase, response: RawResponse): string[] {
    if (testCase.expect === 'accept') {
      return response.status >= 200 && response.status < 300 ? [] : [`expected 2xx, got ${response.status} ${response.text.slice(0, 200)}`];
    }
    if (response.status < 400 || response.status >= 500) return [`expected 4xx, got ${response.status} ${response.text.slice(0, 200)}`];
    const message = (response.json as { message?: unknown } | undefined)?.message;
    const said = typeof message === 'string' ? message : Array.isArray(message) ? message.join(' ') : '';
    return said.trim() ? [] : [`${response.status} without a message: ${response.text.slice(0, 200)}`];
  }

  it('answers every malformed REST request with a 4xx and a message, never a 5xx, and stores only what valid requests sent', async () => {
    const cases = restCases();
    const before = await snapshot();

    const started = Date.now();
    const problems = (
      await inPool(cases, 8, async (testCase) => {
        const response = await rawRequest(server.baseUrl, testCase.request).catch((error: Error) => ({ status: 0, text: error.message }) as RawResponse);
        return judge(testCase, response).map((problem) => `${testCase.label}: ${problem}`);
      })
    ).flat();
    const elapsed = Date.now() - started;

    expect(problems).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    tally.rest += cases.length;
    tally.accepted += cases.filter((testCase) => testCase.expect === 'accept').length;
    tally.refused += cases.filter((testCase) => testCase.expect === 'refuse').length;
    console.log(`${cases.length} REST cases in ${elapsed} ms`);

    await expectServing();
    expect(await snapshot()).toEqual(before);
    // The valid ones among them were stored exactly as sent: no escaping, no truncation, no SQL run.
    const writes = cases.flatMap((testCase) => (testCase.writes ? [testCase.writes] : []));
    const sent = writes.flatMap((write) => ('sent' in write ? [write.sent] : [])).sort();
    const ordered = writes.flatMap((write) => ('ordered' in write ? [write.ordered] : [])).sort();
    expect(sent.length).toBeGreaterThan(10);
    expect(ordered.length).toBeGreaterThan(10);
    const stored = await server.prisma.notification.findMany({ where: { userId: sink.id } });
    expect(stored.map((row) => `${row.title}\n${row.message}`).sort()).toEqual(sent);
    const orders = await server.prisma.order.findMany({ where: { createdById: actor.id } });
    expect(orders.map((row) => `${row.patientName}\n${row.description}`).sort()).toEqual(ordered);
    // Whoever creates an order is not notified of it: the actor created them all, for nobody else.
    expect(await server.prisma.notification.count({ where: { userId: actor.id } })).toBe(0);
  }, 120_000); // about 5,000 requests: 24 s on the 2-core machine, more when it is busy; the cases, not the time, are the test

  // ---- socket cases ----------------------------------------------------------------------

  it('answers every malformed socket command with { ok: false, error }, keeps the socket, and changes nothing', async () => {
    const user = await server.createUser('STAFF');
    const device = await connect(server.baseUrl, { token: user.token });
    const raw = device.socket as unknown as { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };
    const before = await snapshot();

    type SocketCase = { label: string; event: string; args: unknown[]; expect: 'refuse' | 'accept' };
    const cases: SocketCase[] = [];
    const commands: Array<[event: string, field: string | null, valid: (value: unknown) => boolean]> = [
      [ClientEvent.MarkRead, 'id', () => false],
      [ClientEvent.Subscribe, 'channel', () => false],
      [ClientEvent.Unsubscribe, 'channel', () => false],
      [ClientEvent.Join, 'channel', () => false],
      [ClientEvent.Sync, 'afterSeq', (value) => typeof value === 'string' && /^(0|[1-9][0-9]{0,18})$/.test(value)],
    ];
    const values: Array<readonly [string, unknown]> = [
      ...HOSTILE_VALUES,
      ['another user\'s id', victimNotificationId],
      ['another user\'s room', userRoom(victim.id)],
      ['a binary buffer', Buffer.from('user:')],
      ['a 15 kB string', 'x'.repeat(15_000)],
    ];
    for (const [event, field, valid] of commands) {
      for (const [label, value] of values) {
        cases.push({ label: `${event} { ${field}: ${label} }`, event, args: [{ [field as string]: value }], expect: valid(value) ? 'accept' : 'refuse' });
        cases.push({ label: `${event} with ${label} as the payload`, event, args: [value], expect: 'refuse' });
      }
      cases.push({ label: `${event} with no payload`, event, args: [], expect: 'refuse' });
      cases.push({ label: `${event} with an extra argument`, event, args: [{ [field as string]: 'x' }, 'extra'], expect: 'refuse' });
    }
    // Takes no payload: whatever comes is ignored, and this user has nothing unread to change.
    for (const [label, value] of values.slice(0, 12)) {
      cases.push({ label: `${ClientEvent.MarkAllRead} with ${label}`, event: ClientEvent.MarkAllRead, args: [value], expect: 'accept' });
    }
    for (const event of ['notification:delete', 'admin:send', ServerEvent.New, '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'x'.repeat(1000)]) {
      cases.push({ label: `unknown event "${event.slice(0, 30)}"`, event, args: [{ id: victimNotificationId }], expect: 'refuse' });
    }

    const problems = (
      await inPool(cases, 16, async (testCase) => {
        const answer = (await raw
          .timeout(5000)
          .emitWithAck(testCase.event, ...testCase.args)
          .catch((error: Error) => ({ timeout: error.message }))) as { ok?: boolean; error?: unknown };
        if (testCase.expect === 'accept') return answer.ok === true ? [] : [`${testCase.label}: expected ok, got ${JSON.stringify(answer)}`];
        const refused = answer.ok === false && typeof answer.error === 'string' && answer.error !== SocketError.ServerError && answer.error.length > 0;
        return refused ? [] : [`${testCase.label}: expected { ok: false, error }, got ${JSON.stringify(answer)}`];
      })
    ).flat();

    expect(problems).toEqual([]);
    expect(device.socket.connected).toBe(true);
    expect(await device.socket.timeout(2000).emitWithAck(ClientEvent.Subscribe, { channel: userRoom(user.id) })).toEqual({ ok: true });
    tally.socket += cases.length;
    await expectServing();
    expect(await snapshot()).toEqual(before);
  });

  // ---- raw Socket.IO frames --------------------------------------------------------------

  /** A Socket.IO connection spoken by hand, to send what no client library would. */
  class RawSocketIo {
    readonly frames: string[] = [];
    closed = false;
    private readonly ws: WebSocket;

    constructor() {
      this.ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}${SOCKET_PATH}/?EIO=4&transport=websocket`);
      this.ws.on('message', (data, isBinary) => this.frames.push(isBinary ? '<binary>' : data.toString()));
      this.ws.on('close', () => (this.closed = true));
      this.ws.on('error', () => (this.closed = true));
    }

    async open(auth?: string): Promise<string> {
      await once(this.ws, 'open');
      await this.frame((frame) => frame.startsWith('0'));
      if (auth === undefined) return '';
      this.send(`40${auth}`);
      return this.frame((frame) => frame.startsWith('40') || frame.startsWith('44'));
    }

    send(data: string | Buffer): void {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
    }

    /** Resolves with the first frame matching, or '' when the connection closes or 2 s pass. */
    async frame(match: (frame: string) => boolean, timeoutMs = 2000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !this.closed) {
        const found = this.frames.find(match);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return this.frames.find(match) ?? '';
    }

    close(): void {
      this.ws.terminate();
    }
  }

  it('closes a connection that sends malformed Socket.IO frames, or keeps serving it; other sockets never notice', async () => {
    const user = await server.createUser('STAFF');
    const bystander = await server.createUser('STAFF');
    const control = await connect(server.baseUrl, { token: bystander.token });
    const auth = JSON.stringify({ token: user.token });
    const subscribe = (ackId: number) => `42${ackId}${JSON.stringify([ClientEvent.Subscribe, { channel: userRoom(user.id) }])}`;

    const frames: Array<[label: string, frames: Array<string | Buffer>]> = [
      ['an event that is not JSON', ['42not json']],
      ['a truncated event', ['42["notification:mark-read",{"id":']],
      ['an object instead of an array', ['42{"id":"x"}']],
      ['an empty event', ['42[]']],
      ['a numeric event name', ['427[1,{"id":"x"}]']],
      ['a reserved event name', ['42["disconnect"]']],
      ['another reserved event name', ['42["newListener","x"]']],
      ['a binary event without its attachment', ['451-["sync",{"_placeholder":true,"num":0}]', '42["sync",{}]']],
      ['binary data out of place', [Buffer.from([0xff, 0xfe, 0x00])]],
      ['an unknown Socket.IO packet type', ['49']],
      ['an unknown Engine.IO packet type', ['x']],
      ['an acknowledgement nobody asked for', ['43999[{"ok":true}]']],
      ['a connect to an unknown namespace', ['40/admin,{}']],
      ['a second connect to the main namespace', [`40${auth}`]],
      ['a packet id of 30 digits', ['42999999999999999999999999999999["sync",{"afterSeq":"0"}]']],
      ['an Engine.IO upgrade mid-session', ['5']],
      ['an Engine.IO close', ['1']],
      ['a 15 kB mark-read', [`428${JSON.stringify([ClientEvent.MarkRead, { id: 'a'.repeat(15_000) }])}`]],
      ['a frame over 16 KB', [`42${JSON.stringify([ClientEvent.MarkRead, { id: 'a'.repeat(20_000) }])}`]],
      ['a 1 MB frame', [`42${JSON.stringify([ClientEvent.MarkRead, { id: 'a'.repeat(MB) }])}`]],
    ];
    const handshakes: Array<[label: string, auth: string]> = [
      ['no auth', ''],
      ['auth as a string', '"token"'],
      ['auth as an array', '["token"]'],
      ['a token that is an object', '{"token":{"$gt":""}}'],
      ['a token that is an array', `{"token":["${user.token}"]}`],
      ['a token that is a number', '{"token":1}'],
      ['a 5 kB token', `{"token":"${'x'.repeat(5000)}"}`],
      ['a __proto__ auth', '{"__proto__":{"token":"forged"}}'],
      ['auth that is not JSON', '{token:'],
    ];

    const problems: string[] = [];
    for (const [label, sequence] of frames) {
      const socket = new RawSocketIo();
      const connected = await socket.open(auth);
      expect(connected).toMatch(/^40/);
      for (const frame of sequence) socket.send(frame);
      // Closed by the server, or still answering: never stuck, never crashing the node.
      socket.send(subscribe(1));
      const answer = await socket.frame((frame) => frame.startsWith('431'));
      if (!socket.closed && answer !== '431[{"ok":true}]') problems.push(`${label}: neither closed nor answering (${socket.frames.join(' | ').slice(0, 200)})`);
      if (label === 'a 15 kB mark-read' && !socket.frames.includes(`438[{"ok":false,"error":"${SocketError.InvalidPayload}"}]`)) {
        problems.push(`${label}: not answered invalid-payload (${socket.frames.join(' | ').slice(0, 200)})`);
      }
      socket.close();
      const started = Date.now();
      expect(await control.socket.timeout(1000).emitWithAck(ClientEvent.Subscribe, { channel: userRoom(bystander.id) })).toEqual({ ok: true });
      expect(Date.now() - started).toBeLessThan(500);
    }
    for (const [label, handshake] of handshakes) {
      const socket = new RawSocketIo();
      const answer = await socket.open(handshake);
      if (!(socket.closed || answer === `44{"message":"${SocketError.Unauthorized}"}`)) problems.push(`${label}: connected (${answer})`);
      socket.close();
    }

    expect(problems).toEqual([]);
    expect(control.socket.connected).toBe(true);
    tally.frames += frames.length + handshakes.length;
    await expectServing();
  });

  // ---- size limits -----------------------------------------------------------------------

  describe('size limits', () => {
    it('parses a JSON body up to 100 kB and refuses a bigger one with 413 and a message', async () => {
      const send = (size: number) => {
        const body = JSON.stringify({ title: 'T', message: 'M', target: { userId: sink.id }, pad: '' });
        return rawRequest(server.baseUrl, {
          method: 'POST',
          path: '/api/notifications/test',
          headers: { ...json, ...bearer(actor) },
          body: body.replace('"pad":""', `"pad":"${'x'.repeat(size - body.length)}"`),
        });
      };
      const under = await send(100 * 1024);
      expect([under.status, under.json]).toEqual([400, expect.objectContaining({ message: ['property pad should not exist'] })]);
      const over = await send(100 * 1024 + 1);
      expect([over.status, over.json]).toEqual([413, { statusCode: 413, message: 'request entity too large' }]);
    });

    it('disconnects a socket that sends a message over 16 KB, while the user\'s other socket and other users carry on', async () => {
      const nurse = await server.createUser('STAFF');
      const doctor = await server.createUser('STAFF');
      const [laptop, phone, doctorsPhone] = await Promise.all([nurse, nurse, doctor].map((user) => connect(server.baseUrl, { token: user.token })));
      await Promise.all([laptop, phone, doctorsPhone].map((socket) => socket.nth(ServerEvent.UnreadCount, 1)));

      for (const size of [16 * 1024 + 1, MB]) {
        const oversized = await connect(server.baseUrl, { token: nurse.token });
        const closed = new Promise<string>((resolve) => oversized.socket.once('disconnect', resolve));
        oversized.socket.emit(ClientEvent.MarkRead, { id: 'x'.repeat(size) }, () => {});
        expect(await closed).toBe('transport close');
      }

      const pushed = Promise.all([phone.next(ServerEvent.New), laptop.next(ServerEvent.New)]);
      const sent = await rawRequest(server.baseUrl, {
        method: 'POST',
        path: '/api/notifications/test',
        headers: { ...json, ...bearer(actor) },
        body: JSON.stringify({ title: 'Still here', message: 'm', target: { userId: nurse.id } }),
      });
      expect(sent.status).toBe(201);
      const [onPhone] = await pushed;
      expect(await phone.socket.timeout(1000).emitWithAck(ClientEvent.MarkRead, { id: onPhone.id })).toMatchObject({ ok: true });
      expect(await doctorsPhone.socket.timeout(1000).emitWithAck(ClientEvent.Sync, { afterSeq: '0' })).toMatchObject({ ok: true, replayed: 0 });
      expect([laptop, phone, doctorsPhone].every((socket: RecordingSocket) => socket.socket.connected)).toBe(true);
    });

    it('refuses a long-polling request body over 16 KB with 413', async () => {
      const open = await rawRequest(server.baseUrl, { method: 'GET', path: `${SOCKET_PATH}/?EIO=4&transport=polling` });
      const sid = (JSON.parse(open.text.slice(1)) as { sid: string }).sid;
      const path = `${SOCKET_PATH}/?EIO=4&transport=polling&sid=${sid}`;
      const response = await rawRequest(server.baseUrl, { method: 'POST', path, headers: { 'Content-Type': 'text/plain' }, body: `4${'x'.repeat(MB)}` });
      expect(response.status).toBe(413);
    });
  });
});
