// Inbox triage: archive, snooze, mark unread, bulk actions, and the filters of the list
// (docs/rest-api.md, "Triage"). The REST shapes and the rules both sides apply: the server in SQL
// (its list and unread count), the clients on what they hold, so a live event lands in the view
// the server would list it in. The socket events are in socket-io.ts and plain-websocket.ts.
// Re-exported by index.ts.
import type { NotificationDto, NotificationPriority, NotificationType } from './index';
import { requiresAck } from './alerts';

/**
 * Where a notification is shown. `inbox`: neither archived nor snoozed (a snooze that has ended
 * counts as inbox); `archived`; `snoozed`: until its `snoozedUntil`. `all` lists every one.
 */
export const NOTIFICATION_VIEWS = ['inbox', 'archived', 'snoozed', 'all'] as const;
export type NotificationView = (typeof NOTIFICATION_VIEWS)[number];

/** `q` (search in title and message, case-insensitive) is at most this long. */
export const MAX_SEARCH_LENGTH = 100;

/** A snooze ends at most this far ahead. */
export const MAX_SNOOZE_AHEAD_MS = 30 * 24 * 3600 * 1000;

/** At most this many ids in one bulk action. */
export const MAX_BULK_IDS = 100;

/**
 * The query of `GET /notifications` beyond `cursor` and `limit`; every field narrows the list.
 * Over REST `type` and `priority` are comma-separated (`type=ORDER_CREATED,PAYMENT_RECEIVED`).
 * Without `view` the list holds every notification (`all`), as before triage existed.
 */
export interface NotificationFilter {
  view?: NotificationView;
  /** Only unread ones. */
  unread?: boolean;
  types?: readonly NotificationType[];
  priorities?: readonly NotificationPriority[];
  /** Words to find in the title or message (the whole string, case-insensitive). */
  q?: string;
}

/** Snoozed now: `snoozedUntil` lies after `nowMs`. */
export function isSnoozed(notification: Pick<NotificationDto, 'snoozedUntil'>, nowMs: number): boolean {
  return notification.snoozedUntil !== null && Date.parse(notification.snoozedUntil) > nowMs;
}

/** The one view (`inbox`, `archived` or `snoozed`) a notification is in at `nowMs`. */
export function viewOf(notification: Pick<NotificationDto, 'archivedAt' | 'snoozedUntil'>, nowMs: number): Exclude<NotificationView, 'all'> {
  if (notification.archivedAt !== null) return 'archived';
  return isSnoozed(notification, nowMs) ? 'snoozed' : 'inbox';
}

/**
 * Whether it counts in the unread count (the badge): unread and in the inbox. Archived and
 * snoozed notifications wait out of sight; a snoozed one counts again when its snooze ends.
 */
export function countsAsUnread(notification: Pick<NotificationDto, 'readAt' | 'archivedAt' | 'snoozedUntil'>, nowMs: number): boolean {
  return notification.readAt === null && viewOf(notification, nowMs) === 'inbox';
}

/** Whether `notification` belongs in the list `filter` asks for, at `nowMs` (the server's list applies the same rule). */
export function matchesFilter(notification: NotificationDto, filter: NotificationFilter, nowMs: number): boolean {
  const view = filter.view ?? 'all';
  if (view !== 'all' && viewOf(notification, nowMs) !== view) return false;
  if (filter.unread && notification.readAt !== null) return false;
  if (filter.types?.length && !filter.types.includes(notification.type)) return false;
  if (filter.priorities?.length && !filter.priorities.includes(notification.priority)) return false;
  const q = filter.q?.trim().toLowerCase();
  if (q && !`${notification.title}\n${notification.message}`.toLowerCase().includes(q)) return false;
  return true;
}

/**
 * It must be acknowledged (always for CRITICAL) and nobody has yet on any of the user's devices:
 * it stays in sight until then (its toast stays, reading it is not enough), and it cannot be
 * archived, snoozed or deleted (409).
 */
export function awaitsAcknowledgement(notification: Pick<NotificationDto, 'priority' | 'requireAck' | 'acknowledgedAt'>): boolean {
  return requiresAck(notification.priority, notification.requireAck) && !notification.acknowledgedAt;
}

/** `PATCH /notifications/:id/snooze`, and the socket's `notification:snooze` with an `id`. */
export interface SnoozeRequest {
  /** ISO time after now, at most `MAX_SNOOZE_AHEAD_MS` ahead. */
  until: string;
}

/** What `POST /notifications/bulk` does to each of its `ids`. */
export const BULK_ACTIONS = ['read', 'unread', 'archive', 'unarchive', 'snooze', 'unsnooze', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** `POST /notifications/bulk`. */
export interface BulkActionRequest {
  action: BulkAction;
  /** 1 to `MAX_BULK_IDS` ids of own notifications. */
  ids: string[];
  /** For `snooze` only (see SnoozeRequest). */
  until?: string;
}

/** A change of one notification's state: every bulk action but `delete`. */
export type StateChange = Exclude<BulkAction, 'delete'>;

/** The state fields a change writes. */
export type TriageState = Partial<Pick<NotificationDto, 'readAt' | 'archivedAt' | 'snoozedUntil'>>;

/**
 * What `change` writes, at `now` (ISO): the server stores it, and a client shows it before the
 * server confirms. Snoozing takes it out of the archive, archiving ends a snooze: a notification
 * is in one view only.
 */
export function stateAfter(change: StateChange, now: string, until?: string): TriageState {
  switch (change) {
    case 'read':
      return { readAt: now };
    case 'unread':
      return { readAt: null };
    case 'archive':
      return { archivedAt: now, snoozedUntil: null };
    case 'unarchive':
      return { archivedAt: null };
    case 'snooze':
      if (!until) throw new Error('snooze needs a time');
      return { snoozedUntil: until, archivedAt: null };
    case 'unsnooze':
      return { snoozedUntil: null };
  }
}

/** Why a bulk action left one of its ids as it was. */
export const BULK_SKIP_REASONS = ['not-found', 'awaiting-acknowledgement'] as const;
export type BulkSkipReason = (typeof BULK_SKIP_REASONS)[number];

export interface BulkActionResult {
  /** The notifications as they are now (for `delete`: none), each pushed to every device as for one. */
  updated: NotificationDto[];
  /** For `delete`: the ids deleted. */
  deleted: string[];
  /**
   * Ids left as they were: not among the user's own (someone else's is not told apart from one
   * that does not exist), or an alert awaiting acknowledgement (archive, snooze, delete).
   * An id already in the asked state is in `updated`, unchanged.
   */
  skipped: Array<{ id: string; reason: BulkSkipReason }>;
}
