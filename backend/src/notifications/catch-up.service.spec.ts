import type { NotificationPriority } from '@clinic/contracts';
import type { Notification } from '../generated/prisma/client';
import { CatchUpService, REPLAY_PAGE_SIZE } from './catch-up.service';
import type { NotificationPublisher } from './notification-publisher';
import type { NotificationsRepository, ReplayKey, ReplayRows } from './notifications.repository';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function stored(seq: bigint, priority: NotificationPriority = 'NORMAL', typeMuted = false): Notification & { typeMuted: boolean } {
  return {
    id: `id-${seq}`,
    seq,
    userId: 'u1',
    type: 'GENERAL',
    title: 'T',
    message: 'M',
    priority,
    actionUrl: null,
    actionText: null,
    metadata: {},
    sendId: null,
    requireAck: false,
    deliveredAt: null,
    seenAt: null,
    readAt: null,
    acknowledgedAt: null,
    archivedAt: null,
    snoozedUntil: null,
    version: 0,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    typeMuted,
  };
}

function catchUpWith(answer: (keys: readonly ReplayKey[]) => ReplayRows[] | Promise<ReplayRows[]>) {
  const batches: ReplayKey[][] = [];
  const repository = {
    replay: jest.fn(async (keys: readonly ReplayKey[], limit: number) => {
      expect(limit).toBe(REPLAY_PAGE_SIZE + 1);
      batches.push([...keys]);
      return answer(keys);
    }),
  };
  const service = new CatchUpService(repository as unknown as NotificationsRepository, {} as NotificationPublisher);
  return { service, batches };
}

const nothingMissed = (keys: readonly ReplayKey[]): ReplayRows[] => keys.map(() => ({ unreadCount: 0, purgedThroughSeq: 0n, newestSeq: 0n, missed: [] }));

describe('CatchUpService replays', () => {
  it('answers the replays asked within one turn of the event loop with one query, also those asked after promise jobs and ticks', async () => {
    const { service, batches } = catchUpWith(nothingMissed);
    const first = service.replay('u1', 0n);
    await Promise.resolve();
    await new Promise<void>((resolve) => process.nextTick(resolve));
    await Promise.resolve();
    const second = service.replay('u2', 5n);

    await Promise.all([first, second]);
    expect(batches).toEqual([[{ userId: 'u1', afterSeq: 0n }, { userId: 'u2', afterSeq: 5n }]]);
  });

  it('asks at most 500 replays of one query', async () => {
    const { service, batches } = catchUpWith(nothingMissed);
    await Promise.all(Array.from({ length: 1201 }, (_, i) => service.replay(`u${i}`, 0n)));
    expect(batches.map((batch) => batch.length)).toEqual([500, 500, 201]);
  });

  it('fails every replay of a query that failed', async () => {
    const failure = new Error('database unavailable');
    const { service } = catchUpWith(() => Promise.reject(failure));
    const results = await Promise.allSettled([service.replay('u1', 0n), service.replay('u2', 0n), service.replay('u3', 0n)]);
    expect(results).toEqual(Array(3).fill({ status: 'rejected', reason: failure }));
  });

  it('asks the database again for a replay asked again in a later turn', async () => {
    const { service, batches } = catchUpWith(nothingMissed);
    await service.replay('u1', 0n);
    await nextTurn();
    await service.replay('u1', 0n);
    expect(batches).toEqual([[{ userId: 'u1', afterSeq: 0n }], [{ userId: 'u1', afterSeq: 0n }]]);
  });

  it('answers each of two identical asks in one turn from its own rows', async () => {
    let call = 0;
    const { service, batches } = catchUpWith((keys) => keys.map(() => ({ unreadCount: ++call, purgedThroughSeq: 0n, newestSeq: 0n, missed: [] })));
    const [a, b] = await Promise.all([service.replay('u1', 3n), service.replay('u1', 3n)]);
    expect(batches).toEqual([[{ userId: 'u1', afterSeq: 3n }, { userId: 'u1', afterSeq: 3n }]]);
    expect([a.unreadCount, b.unreadCount]).toEqual([1, 2]);
  });

  it('links each replayed notification to the one before it, the first to the cursor, and covers up to the last', async () => {
    const { service } = catchUpWith(() => [{ unreadCount: 2, purgedThroughSeq: 0n, newestSeq: 15n, missed: [stored(12n), stored(15n)] }]);
    const replay = await service.replay('u1', 10n);
    expect(replay.notifications.map((n) => [n.seq, n.prevSeq])).toEqual([
      ['12', '10'],
      ['15', '12'],
    ]);
    expect(replay).toMatchObject({ refresh: false, upToSeq: 15n, unreadCount: 2 });
  });

  it('replays nothing and asks for a refresh when more than a page was missed', async () => {
    const missed = Array.from({ length: REPLAY_PAGE_SIZE + 1 }, (_, i) => stored(BigInt(i + 1)));
    const { service } = catchUpWith(() => [{ unreadCount: 101, purgedThroughSeq: 0n, newestSeq: BigInt(REPLAY_PAGE_SIZE + 1), missed }]);
    expect(await service.replay('u1', 0n)).toEqual({ notifications: [], refresh: true, upToSeq: 0n, unreadCount: 101 });
  });

  it('replays nothing and asks for a refresh when retention purged notifications after the cursor, but replays from the purge horizon on', async () => {
    const { service } = catchUpWith(() => [{ unreadCount: 1, purgedThroughSeq: 20n, newestSeq: 30n, missed: [stored(30n)] }]);
    expect(await service.replay('u1', 19n)).toEqual({ notifications: [], refresh: true, upToSeq: 19n, unreadCount: 1 });
    expect(await service.replay('u1', 20n)).toMatchObject({ refresh: false, upToSeq: 30n });
  });

  it('asks for a refresh when the cursor is above the user\'s newest seq (a restored, older database), but not at it', async () => {
    const { service } = catchUpWith(() => [{ unreadCount: 4, purgedThroughSeq: 0n, newestSeq: 40n, missed: [] }]);
    expect(await service.replay('u1', 41n)).toEqual({ notifications: [], refresh: true, upToSeq: 41n, unreadCount: 4 });
    expect(await service.replay('u1', 40n)).toMatchObject({ refresh: false, upToSeq: 40n });
  });

  it('flags a notification of a muted type as muted, unless it is CRITICAL', async () => {
    const { service } = catchUpWith(() => [{ unreadCount: 3, purgedThroughSeq: 0n, newestSeq: 3n, missed: [stored(1n, 'HIGH', true), stored(2n, 'CRITICAL', true), stored(3n, 'LOW', false)] }]);
    const { notifications } = await service.replay('u1', 0n);
    expect(notifications.map((n) => [n.priority, n.muted])).toEqual([
      ['HIGH', true],
      ['CRITICAL', false],
      ['LOW', false],
    ]);
  });
});
