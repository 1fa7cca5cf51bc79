import request from 'supertest';
import {
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  NotificationDto,
  NotificationFilter,
  NotificationPageDto,
  NotificationPriority,
  NotificationType,
} from '@clinic/contracts';
import type { Prisma } from '../src/generated/prisma/client';
import { toNotificationDto } from '../src/notifications/notification.mapper';
import { filterCondition } from '../src/notifications/notifications.repository';
import { TestApp, TestUser, useTestApp } from './support/test-app';

/**
 * The list runs as one named statement on the pool (NotificationsRepository.page), not through
 * Prisma. These pages must be exactly those of Prisma's findMany with filterCondition, which is
 * what the list ran before and what the rest of the app still uses for the same rule.
 */
describe('GET /api/notifications answers as Prisma with filterCondition does', () => {
  let server: TestApp;
  useTestApp({}, (app) => (server = app));

  let reader: TestUser;
  let other: TestUser;
  const HOUR = 3600_000;

  beforeAll(async () => {
    reader = await server.createUser('STAFF');
    other = await server.createUser('STAFF');
    const now = Date.now();
    const titles = ['Lab results', 'URGENT: room 4', '100% done', 'under_score', 'back\\slash', 'Plain note', 'lab RESULTS again'];
    const rows = (userId: string): Prisma.NotificationCreateManyInput[] =>
      Array.from({ length: 42 }, (_, i) => ({
        userId,
        type: NOTIFICATION_TYPES[i % NOTIFICATION_TYPES.length],
        priority: NOTIFICATION_PRIORITIES[(i * 7) % NOTIFICATION_PRIORITIES.length],
        title: titles[i % titles.length],
        message: i % 5 === 0 ? 'Potassium high' : `Body ${i}`,
        actionUrl: i % 2 ? `/orders?order=${i}` : null,
        actionText: i % 2 ? 'View order' : null,
        metadata: i % 4 === 0 ? { orderId: `order-${i}`, nested: { n: i } } : {},
        requireAck: i % 11 === 0,
        createdAt: new Date(now - (42 - i) * 60_000),
        readAt: i % 3 === 0 ? new Date(now - 30_000) : null,
        seenAt: i % 6 === 0 ? new Date(now - 40_000) : null,
        archivedAt: i % 8 === 1 ? new Date(now - 20_000) : null,
        // Never both archived and snoozed (a check constraint). Snoozes well away from now; one
        // that has ended counts as inbox again.
        snoozedUntil: i % 8 === 1 ? null : i % 5 === 2 ? new Date(now + HOUR) : i % 5 === 4 ? new Date(now - HOUR) : null,
        version: i % 4,
      }));
    // Interleaved, so the other user's rows sit between the reader's seqs.
    for (let i = 0; i < 42; i++) {
      await server.prisma.notification.createMany({ data: [rows(reader.id)[i], rows(other.id)[i]] });
    }
  });

  const filters: Array<{ query: Record<string, string>; filter: NotificationFilter }> = [
    { query: {}, filter: {} },
    ...(['inbox', 'archived', 'snoozed', 'all'] as const).map((view) => ({ query: { view }, filter: { view } })),
    { query: { unread: 'true' }, filter: { unread: true } },
    { query: { unread: 'false' }, filter: { unread: false } },
    { query: { view: 'inbox', unread: 'true' }, filter: { view: 'inbox', unread: true } },
    { query: { type: 'GENERAL,ORDER_CREATED' }, filter: { types: ['GENERAL', 'ORDER_CREATED'] as NotificationType[] } },
    { query: { priority: 'HIGH,CRITICAL' }, filter: { priorities: ['HIGH', 'CRITICAL'] as NotificationPriority[] } },
    { query: { view: 'snoozed', priority: 'LOW' }, filter: { view: 'snoozed', priorities: ['LOW'] as NotificationPriority[] } },
    ...['lab results', 'HIGH', '100%', '%', '_', 'under_', '\\', '  urgent  ', '   ', 'nothing like it'].map((q) => ({ query: { q }, filter: { q } })),
    {
      query: { view: 'inbox', unread: 'true', type: 'GENERAL,SYSTEM_ALERT,ORDER_STATUS_CHANGED', priority: 'NORMAL,HIGH,LOW', q: 'lab' },
      filter: { view: 'inbox', unread: true, types: ['GENERAL', 'SYSTEM_ALERT', 'ORDER_STATUS_CHANGED'] as NotificationType[], priorities: ['NORMAL', 'HIGH', 'LOW'] as NotificationPriority[], q: 'lab' },
    },
  ];

  /** The list as it was computed before: Prisma's findMany, the same page and cursor rules. */
  async function expectedPage(userId: string, filter: NotificationFilter, limit: number, before?: string): Promise<NotificationPageDto> {
    const rows = await server.prisma.notification.findMany({
      where: { userId, ...filterCondition(filter, new Date()), ...(before !== undefined ? { seq: { lt: BigInt(before) } } : {}) },
      orderBy: { seq: 'desc' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { items: page.map(toNotificationDto), nextCursor: rows.length > limit ? page[page.length - 1].seq.toString() : null };
  }

  async function listed(user: TestUser, query: Record<string, string>): Promise<NotificationPageDto> {
    return (await request(server.baseUrl).get('/api/notifications').query(query).set({ Authorization: `Bearer ${user.token}` }).expect(200)).body;
  }

  it('on every filter, page after page, with the default and small limits', async () => {
    const othersIds = new Set((await server.prisma.notification.findMany({ where: { userId: other.id }, select: { id: true } })).map((row) => row.id));
    for (const { query, filter } of filters) {
      for (const limit of [undefined, 1, 4, 100]) {
        let cursor: string | undefined;
        const seen: NotificationDto[] = [];
        for (let pages = 0; pages < 50; pages++) {
          const actual = await listed(reader, { ...query, ...(limit ? { limit: String(limit) } : {}), ...(cursor ? { cursor } : {}) });
          const expected = await expectedPage(reader.id, filter, limit ?? 20, cursor);
          expect({ query, limit, cursor, page: actual }).toEqual({ query, limit, cursor, page: expected });
          seen.push(...actual.items);
          if (!actual.nextCursor) break;
          cursor = actual.nextCursor;
        }
        expect(seen.every((item) => item.userId === reader.id && !othersIds.has(item.id))).toBe(true);
      }
    }
  });

  it('from any cursor, including one from another user’s seqs and "0"', async () => {
    const seqs = (await server.prisma.notification.findMany({ select: { seq: true }, orderBy: { seq: 'asc' } })).map((row) => row.seq.toString());
    for (const cursor of ['0', '1', ...seqs.filter((_, i) => i % 7 === 0), String(2n ** 63n - 1n)]) {
      for (const { query, filter } of [filters[0], filters[2], filters[filters.length - 1]]) {
        expect(await listed(reader, { ...query, cursor, limit: '5' })).toEqual(await expectedPage(reader.id, filter, 5, cursor));
      }
    }
    expect(await listed(reader, { cursor: '0' })).toEqual({ items: [], nextCursor: null });
  });

  it('shows a user only their own notifications, whatever the filter', async () => {
    for (const { query } of filters) {
      const page = await listed(other, { ...query, limit: '100' });
      expect(page.items.every((item) => item.userId === other.id)).toBe(true);
    }
    const stranger = await server.createUser('STAFF');
    expect(await listed(stranger, { limit: '100' })).toEqual({ items: [], nextCursor: null });
  });

  it('is never stored by a cache, and carries no ETag', async () => {
    for (const path of ['/api/notifications', '/api/notifications/unread-count']) {
      const answer = await request(server.baseUrl).get(path).set({ Authorization: `Bearer ${reader.token}` }).expect(200);
      expect([path, answer.headers['cache-control'], answer.headers.etag]).toEqual([path, 'no-store', undefined]);
    }
  });

  it('still refuses bad queries with a clear 400', async () => {
    for (const query of [{ cursor: 'abc' }, { cursor: String(2n ** 63n) }, { limit: '0' }, { limit: '101' }, { unread: 'yes' }, { view: 'trash' }, { type: 'NOPE' }, { extra: '1' }]) {
      const refused = await request(server.baseUrl).get('/api/notifications').query(query).set({ Authorization: `Bearer ${reader.token}` }).expect(400);
      expect(Array.isArray(refused.body.message) ? refused.body.message.join(' ') : refused.body.message).toMatch(/cursor|limit|unread|view|type|should not exist/);
    }
    await request(server.baseUrl).get('/api/notifications').expect(401);
  });
});
