// The specification of the client catch-up rules, a section per rule (cursor, gaps and order,
// duplicates, deletions, refresh); kept in one file, over 400 lines, to be read beside catch-up.ts.
import type { Ack, NewNotificationPayload, NotificationDto, SyncPayload, SyncResult } from './index';
import { CatchUp, compareSeq, Listing, SyncOutcome } from './catch-up';

const GRACE_MS = 2_000;

function dto(seq: number | string, overrides: Partial<NotificationDto> = {}): NotificationDto {
  return {
    id: `n-${seq}`,
    seq: String(seq),
    userId: 'u-1',
    type: 'GENERAL',
    title: `Notification ${seq}`,
    message: 'm',
    priority: 'NORMAL',
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
    createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** `notification:new` for seq, linked to prevSeq (by default the seq just before). */
function pushed(seq: number, prevSeq = seq - 1, overrides: Partial<NotificationDto> = {}): NewNotificationPayload {
  return { ...dto(seq, overrides), muted: false, prevSeq: String(prevSeq) };
}

function listing(seqs: number[], options: Partial<Listing> = {}): Listing {
  return { items: seqs.map((seq) => dto(seq)), complete: true, ...options };
}

/** A CatchUp with a hand-driven clock and a server whose `sync` answers the test controls. */
function setUp() {
  let now = 0;
  const timers: { at: number; task: () => void; cancelled: boolean }[] = [];
  const syncs: SyncPayload[] = [];
  const answers: (SyncOutcome | Promise<SyncOutcome>)[] = [];
  let refetches = 0;
  let changes = 0;
  const catchUp = new CatchUp({
    gapGraceMs: GRACE_MS,
    schedule: (task, delayMs) => {
      const timer = { at: now + delayMs, task, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
    sync: async (request) => {
      syncs.push(request);
      return answers.shift() ?? 'unanswered';
    },
    refetch: () => refetches++,
    onChange: () => changes++,
  });
  return {
    catchUp,
    syncs,
    /** What the server answers to the next sync. */
    answer: (outcome: SyncOutcome | Promise<SyncOutcome>) => answers.push(outcome),
    refetches: () => refetches,
    changes: () => changes,
    /** Moves the clock on, running what falls due, then lets the answers settle. */
    async advance(ms: number): Promise<void> {
      now += ms;
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue;
        if (timer.at <= now) timer.task();
        else timers.push(timer);
      }
      await flush();
    },
    pendingTimers: () => timers.filter((timer) => !timer.cancelled).length,
    list: () => catchUp.newestFirst().map((notification) => notification.seq),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

function synced(upToSeq: number, replayed = 0): Ack<SyncResult> {
  return { ok: true, replayed, refresh: false, upToSeq: String(upToSeq) };
}

/** Loads the first listing, as a client does before it connects. */
function loaded(seqs: number[] = [10]) {
  const setup = setUp();
  setup.catchUp.applyListing(setup.catchUp.listingRequested(), listing([...seqs].reverse()));
  return setup;
}

describe('CatchUp: the safe cursor', () => {
  it('has no cursor until the first listing, then the newest listed seq ("0" for an empty inbox)', () => {
    const empty = setUp();
    expect(empty.catchUp.cursor).toBeNull();
    empty.catchUp.applyListing(empty.catchUp.listingRequested(), listing([]));
    expect(empty.catchUp.cursor).toBe('0');

    const { catchUp } = loaded([3, 7, 10]);
    expect(catchUp.cursor).toBe('10');
  });

  it('moves along an unbroken prevSeq chain, over seqs that belong to other users', () => {
    const { catchUp } = loaded([10]);

    catchUp.receive(pushed(14, 10));
    catchUp.receive(pushed(20, 14));

    expect(catchUp.cursor).toBe('20');
    expect(catchUp.settled).toBe(true);
  });

  it('compares seqs as big integers, beyond what a number holds exactly', () => {
    expect(compareSeq('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareSeq('10', '9')).toBe(1);
    const { catchUp } = setUp();
    catchUp.applyListing(catchUp.listingRequested(), { items: [dto('9007199254740992')], complete: true });

    catchUp.receive({ ...dto('9007199254740993'), muted: false, prevSeq: '9007199254740992' });

    expect(catchUp.cursor).toBe('9007199254740993');
  });

  it('links what arrived before the first listing once the listing gives it a cursor', () => {
    const { catchUp } = setUp();
    catchUp.receive(pushed(12, 10));

    catchUp.applyListing(catchUp.listingRequested(), listing([10]));

    expect(catchUp.cursor).toBe('12');
  });
});

describe('CatchUp: out-of-order arrival and gaps', () => {
  it('holds a notification that arrives ahead of a missing one, and moves over both once the missing one arrives', async () => {
    const setup = loaded([10]);
    const { catchUp } = setup;

    catchUp.receive(pushed(13, 12));
    expect(catchUp.cursor).toBe('10');
    expect(setup.list()).toEqual(['13', '10']);
    expect(catchUp.settled).toBe(false);

    catchUp.receive(pushed(12, 10));
    expect(catchUp.cursor).toBe('13');
    expect(catchUp.settled).toBe(true);
    await setup.advance(GRACE_MS);
    expect(setup.syncs).toEqual([]);
  });

  it('follows a chain that arrives in reverse order', () => {
    const { catchUp } = loaded([10]);

    catchUp.receive(pushed(15, 14));
    catchUp.receive(pushed(14, 11));
    catchUp.receive(pushed(11, 10));

    expect(catchUp.cursor).toBe('15');
  });

  it('keeps every waiting link by id, also two that name the same prevSeq', () => {
    const { catchUp } = loaded([10]);

    // 12 was deleted before 13 was created, so both link to 11; 12's copy arrives late.
    catchUp.receive(pushed(13, 11));
    catchUp.receive(pushed(12, 11));
    catchUp.receive(pushed(11, 10));

    expect(catchUp.cursor).toBe('13');
  });

  it('asks sync from the cursor when a gap stays open for the grace period, and moves to upToSeq', async () => {
    const setup = loaded([10]);
    setup.catchUp.receive(pushed(13, 12));

    await setup.advance(GRACE_MS - 1);
    expect(setup.syncs).toEqual([]);

    setup.answer(synced(13, 2));
    await setup.advance(1);

    expect(setup.syncs).toEqual([{ afterSeq: '10' }]);
    expect(setup.catchUp.cursor).toBe('13');
    expect(setup.catchUp.settled).toBe(true);
    expect(setup.pendingTimers()).toBe(0);
  });

  it('drops what it held beyond the gap when the sync did not replay it: it was deleted meanwhile', async () => {
    const setup = loaded([10]);
    setup.catchUp.receive(pushed(13, 12));
    setup.answer(synced(11, 1));

    await setup.advance(GRACE_MS);

    expect(setup.catchUp.cursor).toBe('11');
    expect(setup.list()).toEqual(['10']);
    expect(setup.catchUp.settled).toBe(true);
    // Deleted for good: a late copy does not bring it back, though its link still counts.
    setup.catchUp.receive(pushed(13, 12));
    expect(setup.list()).toEqual(['10']);
  });

  it('asks one sync at a time; asked again meanwhile, it asks once more after the answer', async () => {
    const setup = loaded([10]);
    const answer = deferred<SyncOutcome>();
    setup.answer(answer.promise);

    void setup.catchUp.syncNow();
    void setup.catchUp.syncNow();
    void setup.catchUp.resync();
    expect(setup.syncs).toHaveLength(1);

    setup.answer(synced(10));
    answer.resolve(synced(10));
    await flush();
    expect(setup.syncs).toEqual([{ afterSeq: '10' }, { afterSeq: '10' }]);
  });

  it('watches again after a sync when a gap opened while it was under way', async () => {
    const setup = loaded([10]);
    const answer = deferred<SyncOutcome>();
    setup.answer(answer.promise);
    setup.catchUp.receive(pushed(13, 12));
    await setup.advance(GRACE_MS);

    setup.catchUp.receive(pushed(16, 15));
    answer.resolve(synced(13, 2));
    await flush();
    expect(setup.catchUp.cursor).toBe('13');
    expect(setup.list()).toEqual(['16', '13', '10']);

    setup.answer(synced(16, 2));
    await setup.advance(GRACE_MS);
    expect(setup.syncs).toEqual([{ afterSeq: '10' }, { afterSeq: '13' }]);
    expect(setup.catchUp.cursor).toBe('16');
    expect(setup.catchUp.settled).toBe(true);
  });

  it('refetches instead when the sync is answered with refresh (too many missed), goes unanswered, or is refused', async () => {
    for (const outcome of [
      { ok: true, replayed: 0, refresh: true, upToSeq: '10' },
      'unanswered',
      { ok: false, error: 'rate-limited' },
    ] satisfies SyncOutcome[]) {
      const setup = loaded([10]);
      setup.catchUp.receive(pushed(13, 12));
      setup.answer(outcome);

      await setup.advance(GRACE_MS);

      expect(setup.refetches()).toBe(1);
      expect(setup.catchUp.cursor).toBe('10');
    }
  });

  it('neither syncs nor polls while disconnected: the reconnection handshake carries the cursor', async () => {
    const setup = loaded([10]);
    setup.catchUp.receive(pushed(13, 12));
    setup.answer('not-connected');

    await setup.advance(GRACE_MS);

    expect(setup.syncs).toHaveLength(1);
    expect(setup.refetches()).toBe(0);
    expect(setup.pendingTimers()).toBe(0);
    await setup.advance(GRACE_MS * 10);
    expect(setup.syncs).toHaveLength(1);
  });

  it('answers resync with a sync from the cursor, then a refetch for lost reads and deletions', async () => {
    const setup = loaded([10]);
    setup.answer(synced(10));

    await setup.catchUp.resync();

    expect(setup.syncs).toEqual([{ afterSeq: '10' }]);
    expect(setup.refetches()).toBe(1);
  });
});

describe('CatchUp: duplicates', () => {
  it('holds a notification that arrives twice once, and calls only the first arrival new', () => {
    const { catchUp, list } = loaded([10]);

    const first = catchUp.receive(pushed(11));
    const again = catchUp.receive(pushed(11));

    expect(first).toMatchObject({ isNew: true, duplicate: false });
    expect(again).toMatchObject({ isNew: false, duplicate: true });
    expect(list()).toEqual(['11', '10']);
  });

  it('holds the notification without the push-only fields', () => {
    const { catchUp } = loaded([10]);

    catchUp.receive({ ...pushed(11), muted: true });

    expect(catchUp.get('n-11')).toEqual(dto(11));
  });

  it('calls a listed one not new when it is pushed afterwards', () => {
    const { catchUp } = loaded([10, 11]);

    expect(catchUp.receive(pushed(11)).isNew).toBe(false);
  });

  it('never makes a read one unread through an older copy, pushed or listed', () => {
    const { catchUp } = loaded([10]);
    catchUp.receive(pushed(11));
    catchUp.update(dto(11, { readAt: '2025-01-02T00:00:00.000Z', version: 1 }));

    catchUp.receive(pushed(11));
    expect(catchUp.get('n-11')?.readAt).toBe('2025-01-02T00:00:00.000Z');
    catchUp.applyListing(catchUp.listingRequested(), listing([11, 10]));
    expect(catchUp.get('n-11')?.readAt).toBe('2025-01-02T00:00:00.000Z');
  });

  it('takes each state from the newer version: unread after read, out of the archive after archived', () => {
    const { catchUp } = loaded([10]);
    catchUp.update(dto(10, { readAt: '2025-01-02T00:00:00.000Z', archivedAt: '2025-01-02T00:00:00.000Z', version: 2 }));
    catchUp.update(dto(10, { readAt: null, archivedAt: null, snoozedUntil: '2025-01-03T08:00:00.000Z', version: 4 }));
    // The events of versions 2 and 3 arrive late, and a listing fetched in between answers.
    catchUp.update(dto(10, { readAt: '2025-01-02T00:00:00.000Z', version: 3 }));
    catchUp.applyListing(catchUp.listingRequested(), listing([10]));

    expect(catchUp.get('n-10')).toMatchObject({ readAt: null, archivedAt: null, snoozedUntil: '2025-01-03T08:00:00.000Z', version: 4 });
  });

  it('never loses an acknowledgement or another receipt through an older copy', () => {
    const { catchUp } = loaded([10]);
    catchUp.receive(pushed(11));
    const acknowledged = { acknowledgedAt: '2025-01-02T00:00:00.000Z', readAt: '2025-01-02T00:00:00.000Z', seenAt: '2025-01-01T23:00:00.000Z' };
    catchUp.update(dto(11, { ...acknowledged, version: 1 }));

    // A listing fetched before the acknowledgement answers after it.
    catchUp.applyListing(catchUp.listingRequested(), listing([11, 10]));
    expect(catchUp.get('n-11')).toMatchObject(acknowledged);
  });

  it('shows its own change at once, keeps it over an older listing, and reverts it only while no newer copy came', () => {
    const { catchUp } = loaded([10, 11]);
    const ticket = catchUp.listingRequested();
    const beforeRead = catchUp.change('n-10', { readAt: '2025-01-01T09:00:00.000Z' });
    const beforeArchive = catchUp.change('n-11', { archivedAt: '2025-01-01T09:00:00.000Z' });

    catchUp.applyListing(ticket, listing([11, 10]));
    expect(catchUp.get('n-10')?.readAt).toBe('2025-01-01T09:00:00.000Z');

    catchUp.revert(beforeArchive!);
    expect(catchUp.get('n-11')).toEqual(dto(11));
    // The server's answer to the read came (its version) before the read was found to have failed.
    catchUp.update(dto(10, { readAt: '2025-01-01T09:00:01.000Z', version: 1 }));
    catchUp.revert(beforeRead!);
    expect(catchUp.get('n-10')?.readAt).toBe('2025-01-01T09:00:01.000Z');
  });

  it('takes the server’s read time over its own estimate', () => {
    const { catchUp } = loaded([10]);
    catchUp.change('n-10', { readAt: '2025-01-01T09:00:00.000Z' });

    catchUp.update(dto(10, { readAt: '2025-01-01T09:00:01.000Z', version: 1 }));

    expect(catchUp.get('n-10')?.readAt).toBe('2025-01-01T09:00:01.000Z');
  });
});

describe('CatchUp: deletions', () => {
  it('keeps a deleted notification out for good: late copies, replays, updates and listings under way', () => {
    const { catchUp, list } = loaded([10, 11]);
    const ticket = catchUp.listingRequested();

    expect(catchUp.remove('n-11')).toEqual(dto(11));
    catchUp.receive(pushed(11));
    catchUp.update(dto(11, { readAt: '2025-01-02T00:00:00.000Z' }));
    catchUp.applyListing(ticket, listing([11, 10]));

    expect(list()).toEqual(['10']);
  });

  it('still moves the cursor over a deleted notification’s link', () => {
    const { catchUp } = loaded([10]);
    catchUp.remove('n-11');

    const received = catchUp.receive(pushed(11, 10));
    catchUp.receive(pushed(12, 11));

    expect(received.isNew).toBe(false);
    expect(catchUp.cursor).toBe('12');
    expect(catchUp.get('n-11')).toBeUndefined();
  });

  it('keeps the link of one deleted while it waited, so the cursor moves over it once the gap closes', () => {
    const { catchUp } = loaded([10]);
    catchUp.receive(pushed(12, 11));
    catchUp.remove('n-12');

    catchUp.receive(pushed(11, 10));

    expect(catchUp.cursor).toBe('12');
    expect(catchUp.settled).toBe(true);
  });

  it('brings back one whose deletion here failed', () => {
    const { catchUp, list } = loaded([10, 11]);
    const removed = catchUp.remove('n-11')!;

    catchUp.restore(removed);

    expect(list()).toEqual(['11', '10']);
  });
});

describe('CatchUp: refresh (listing again)', () => {
  it('drops held ones the listing lacks, deleted elsewhere, and keeps ones that arrived while it was under way', () => {
    const { catchUp, list } = loaded([8, 9, 10]);
    const ticket = catchUp.listingRequested();
    catchUp.receive(pushed(11, 10));

    catchUp.applyListing(ticket, listing([10, 8]));

    expect(list()).toEqual(['11', '10', '8']);
    expect(catchUp.cursor).toBe('11');
    // Deleted for good: a late update does not bring it back.
    catchUp.update(dto(9, { readAt: '2025-01-02T00:00:00.000Z' }));
    expect(list()).toEqual(['11', '10', '8']);
  });

  it('moves the cursor to the listing’s newest, and lets go of what waited beyond a gap that was never closed', () => {
    const setup = loaded([10]);
    setup.catchUp.receive(pushed(14, 13));
    const ticket = setup.catchUp.listingRequested();

    setup.catchUp.applyListing(ticket, listing([12, 11, 10]));

    expect(setup.catchUp.cursor).toBe('12');
    expect(setup.list()).toEqual(['12', '11', '10']);
    expect(setup.catchUp.settled).toBe(true);
  });

  it('keeps a later one waiting on a gap when it arrived after the listing was asked for', () => {
    const setup = loaded([10]);
    const ticket = setup.catchUp.listingRequested();
    setup.catchUp.receive(pushed(14, 13));

    setup.catchUp.applyListing(ticket, listing([12, 11, 10]));

    expect(setup.catchUp.cursor).toBe('12');
    expect(setup.list()).toEqual(['14', '12', '11', '10']);
    expect(setup.catchUp.settled).toBe(false);
  });

  it('returns what the listing brought that is new and newer than the cursor, never older ones that moved up', () => {
    const { catchUp } = loaded([5, 6, 10]);
    catchUp.remove('n-10');

    const fresh = catchUp.applyListing(catchUp.listingRequested(), listing([12, 11, 6, 5, 4]));

    expect(fresh.map((notification) => notification.seq)).toEqual(['12', '11']);
  });

  it('keeps only the listed window of an incomplete listing; older pages widen it again', () => {
    const { catchUp, list } = loaded([1, 2, 3, 4]);

    catchUp.applyListing(catchUp.listingRequested(), listing([4, 3], { complete: false }));
    expect(list()).toEqual(['4', '3']);
    // Below the window: an update of it waits for the older page.
    catchUp.update(dto(2, { readAt: '2025-01-02T00:00:00.000Z' }));
    expect(list()).toEqual(['4', '3']);

    catchUp.appendOlder(listing([2, 1]));
    expect(list()).toEqual(['4', '3', '2', '1']);
    expect(catchUp.get('n-2')?.readAt).toBeNull();
  });

  it('holds an update that arrives before its notification when it falls within what it keeps', () => {
    const { catchUp } = loaded([10]);

    catchUp.update(dto(12, { readAt: '2025-01-02T00:00:00.000Z', version: 1 }));
    const received = catchUp.receive(pushed(12, 10));

    expect(received.notification.readAt).toBe('2025-01-02T00:00:00.000Z');
    expect(received.isNew).toBe(true);
  });

  it('takes the listing’s count unless a count was set while it was under way', () => {
    const { catchUp } = loaded([10]);

    catchUp.applyListing(catchUp.listingRequested(), listing([10], { unreadCount: 1 }));
    expect(catchUp.unreadCount).toBe(1);

    const ticket = catchUp.listingRequested();
    catchUp.setUnreadCount(0);
    catchUp.applyListing(ticket, listing([10], { unreadCount: 1 }));
    expect(catchUp.unreadCount).toBe(0);
  });
});

describe('CatchUp: a session that is over', () => {
  it('changes nothing with answers that arrive after dispose, and runs no timer', async () => {
    const setup = loaded([10]);
    setup.catchUp.receive(pushed(13, 12));
    const ticket = setup.catchUp.listingRequested();
    const changes = setup.changes();

    setup.catchUp.dispose();
    setup.answer(synced(13));
    await setup.advance(GRACE_MS);
    setup.catchUp.applyListing(ticket, listing([13, 12, 11, 10]));

    expect(setup.syncs).toEqual([]);
    expect(setup.catchUp.cursor).toBe('10');
    expect(setup.changes()).toBe(changes);
  });

  it('tells its host of every change it holds', () => {
    const setup = loaded([10]);
    const before = setup.changes();

    setup.catchUp.receive(pushed(11));
    setup.catchUp.setUnreadCount(1);
    setup.catchUp.acknowledgeRead('n-11', '2025-01-02T00:00:00.000Z');
    setup.catchUp.remove('n-11');

    expect(setup.changes()).toBe(before + 4);
  });
});
