import { Injectable } from '@nestjs/common';
import { isMuted, NewNotificationPayload, SyncResult } from '@clinic/contracts';
import DataLoader from 'dataloader';
import { toNewNotificationPayload } from './notification.mapper';
import { ClientConnection, NotificationPublisher } from './notification-publisher';
import { NotificationsRepository, ReplayKey, ReplayRows } from './notifications.repository';
import { parseSeq } from './seq';

/** Notifications replayed to a reconnecting client at most; beyond that it is told to refetch. */
export const REPLAY_PAGE_SIZE = 100;
/** Replays one query answers at most: its arrays and result stay a few MB. */
const REPLAY_BATCH_MAX = 500;

export interface Replay {
  notifications: NewNotificationPayload[];
  /** More were missed than one page, retention purged some after the cursor, or the cursor is above the user's newest seq: the client should refetch instead. */
  refresh: boolean;
  /** Every notification of the user's up to this seq is in `notifications` or at most `afterSeq`. */
  upToSeq: bigint;
  unreadCount: number;
}

/**
 * What a device that connects or asks `sync` has missed, sent to that connection alone (a
 * Socket.IO socket or a plain WebSocket).
 *
 * Every reconnecting client asks (thousands at once after a restart), so the replays asked within
 * one turn of the event loop share one query, in slices of REPLAY_BATCH_MAX: a query each, through
 * Prisma, cost a large share of the node's CPU while clients caught up and made the storm last
 * markedly longer (figures in docs/performance.md). A lone client waits for nothing: its batch
 * leaves in the same turn. A failed query fails every replay in it; each asker handles that.
 */
@Injectable()
export class CatchUpService {
  private readonly replays = new DataLoader<ReplayKey, Replay>(
    async (keys) => (await this.repository.replay(keys, REPLAY_PAGE_SIZE + 1)).map((rows, index) => toReplay(rows, keys[index].afterSeq)),
    {
      // A replay is read again on every ask: nothing is kept between batches. Without a cache,
      // every load is its own entry in the batch, so two asks with the same (user, cursor) get
      // an answer each.
      cache: false,
      maxBatchSize: REPLAY_BATCH_MAX,
      // One full turn of the event loop, not DataLoader's default (after the current promise
      // jobs): a reconnect storm's handshakes arrive as many I/O callbacks of one poll phase, and
      // only setImmediate, which runs after that phase, gathers all of them into one batch.
      batchScheduleFn: (callback) => setImmediate(callback),
    },
  );

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly publisher: NotificationPublisher,
  ) {}

  /**
   * A connection has opened. With the client's `lastSeq` it gets what it missed; every connection
   * gets its unread count. Rejects when the database cannot answer: the caller closes it.
   */
  async onConnect(connection: ClientConnection, lastSeq: unknown): Promise<void> {
    const userId = connection.data.user.id;
    if (lastSeq === undefined || lastSeq === null) {
      this.publisher.unreadCountTo(connection, await this.repository.unreadCount(userId));
      return;
    }
    const afterSeq = parseSeq(lastSeq);
    if (afterSeq !== null) {
      await this.sync(connection, afterSeq);
      return;
    }
    // A cursor we cannot read: the client's state is unknown, so it refetches.
    this.publisher.refreshTo(connection);
    this.publisher.unreadCountTo(connection, await this.repository.unreadCount(userId));
  }

  /** Replays to this connection only, oldest first (or asks it to refetch), then sends the count. */
  async sync(connection: ClientConnection, afterSeq: bigint): Promise<SyncResult> {
    const replay = await this.replay(connection.data.user.id, afterSeq);
    this.publisher.replayTo(connection, replay);
    return { replayed: replay.notifications.length, refresh: replay.refresh, upToSeq: replay.upToSeq.toString() };
  }

  /**
   * What a client that has everything up to `afterSeq` missed, oldest first. Each one's `prevSeq`
   * is the one before it in this answer (the first's is `afterSeq`): once one of a user's seqs is
   * visible, every smaller one of theirs is (see NotificationsService.createInTransaction), so
   * what the query did not find between them was deleted or never existed, and the client's
   * cursor moves over deletions too. Not over what retention purged, though: nobody told the
   * client of those (unlike a deletion, which is pushed), so a cursor below the user's purge
   * horizon gets a refresh, and the client's list is read again. So does a cursor above the
   * user's newest seq: the client holds notifications this database does not (it was restored
   * from an older backup, or the newest were deleted), and its list is read again rather than
   * kept with notifications that no longer exist.
   */
  replay(userId: string, afterSeq: bigint): Promise<Replay> {
    return this.replays.load({ userId, afterSeq });
  }
}

function toReplay({ unreadCount, purgedThroughSeq, newestSeq, missed }: ReplayRows, afterSeq: bigint): Replay {
  if (missed.length > REPLAY_PAGE_SIZE || afterSeq < purgedThroughSeq || afterSeq > newestSeq) return { notifications: [], refresh: true, upToSeq: afterSeq, unreadCount };
  let prevSeq = afterSeq;
  const notifications = missed.map(({ typeMuted, ...notification }) => {
    const payload = toNewNotificationPayload(notification, isMuted(typeMuted, notification.priority), prevSeq);
    prevSeq = notification.seq;
    return payload;
  });
  return { notifications, refresh: false, upToSeq: prevSeq, unreadCount };
}
