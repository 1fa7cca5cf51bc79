// The Socket.IO part of the wire contract (docs/websocket-contract.md): path, event names, payloads,
// acknowledgements and rooms. Re-exported by index.ts; import it as `@clinic/contracts`.
import type { NotificationDto, Role, SeenRequest, SeenResult, SendCounts, SnoozeRequest, UnreadCountDto } from './index';

export const SOCKET_PATH = '/socket.io';

/** Server → client events. */
export const ServerEvent = {
  New: 'notification:new',
  Updated: 'notification:updated',
  Deleted: 'notification:deleted',
  UnreadCount: 'notification:unread-count',
  Refresh: 'notification:refresh',
  /**
   * Some `notification:new` may not have reached this socket (the nodes lost touch through Redis
   * for a while): answer with `sync` from the safe cursor. Cheaper than `notification:refresh`:
   * the answer is usually empty.
   */
  Resync: 'notification:resync',
  ReadAck: 'notification:read-ack',
  /**
   * A snoozed notification's snooze ended: it is back in the inbox and unread count; tell the user
   * as for a new one. Comes with `notification:unread-count`. A device offline at the time finds
   * it back by its `snoozedUntil`, which has passed (see viewOf).
   */
  Reminder: 'notification:reminder',
  /** To the sender's and admins' sockets: a send's receipt counts changed. */
  SendUpdated: 'send:updated',
  /** Sent just before the server closes the socket; the payload says what the client should do. */
  SessionEnd: 'session:end',
} as const;

/** Client → server events; each is answered through the acknowledgement callback. */
export const ClientEvent = {
  MarkRead: 'notification:mark-read',
  MarkAllRead: 'notification:mark-all-read',
  /** Acknowledge one own notification (marks it read too); answered `{ ok, notification }`. */
  Ack: 'notification:ack',
  /** This device received `notification:new`: `{ id }`, or `{ ids }` for several; sets `deliveredAt` once. */
  Delivered: 'notification:delivered',
  /** The app rendered these own notifications on screen (batched): sets `seenAt` once. */
  Seen: 'notification:seen',
  /** Triage of one own notification, `{ id }` (snooze: `{ id, until }`); answered `{ ok, notification }`. */
  MarkUnread: 'notification:mark-unread',
  Archive: 'notification:archive',
  Unarchive: 'notification:unarchive',
  Snooze: 'notification:snooze',
  Unsnooze: 'notification:unsnooze',
  Subscribe: 'subscribe',
  Unsubscribe: 'unsubscribe',
  Join: 'join',
  Sync: 'sync',
} as const;

/** `connect_error` message, `session:end` reasons and acknowledgement errors the client acts on. */
export const SocketError = {
  /** `connect_error`: missing, malformed or expired token. Obtain a fresh token and reconnect. */
  Unauthorized: 'unauthorized',
  /** `session:end`: the access token expired. Refresh it and reconnect with the new one. */
  TokenExpired: 'token-expired',
  /**
   * `session:end`: the session was ended (logout, password change, deactivation, role change,
   * refresh-token reuse). Refreshing will fail: sign in again.
   */
  SessionRevoked: 'session-revoked',
  Forbidden: 'forbidden',
  InvalidPayload: 'invalid-payload',
  NotFound: 'not-found',
  /** Acknowledgement: an alert awaiting acknowledgement cannot be archived or snoozed; acknowledge it first. */
  Conflict: 'conflict',
  /**
   * Acknowledgement: this socket sent more events than it may; slow down. Also a `session:end`
   * reason when it kept flooding and was disconnected.
   */
  RateLimited: 'rate-limited',
  /** `connect_error`: this user already has as many open sockets on the server as allowed; retry later. */
  TooManyConnections: 'too-many-connections',
  ServerError: 'server-error',
} as const;
export type SocketErrorCode = (typeof SocketError)[keyof typeof SocketError];

/** `notification:new`: the notification, and whether its recipient muted its type (no toast then). */
export interface NewNotificationPayload extends NotificationDto {
  muted: boolean;
  /**
   * The recipient has no notification with a seq between `prevSeq` and `seq` (both excluded), and
   * never will: "0" when nothing came before. A client that has everything up to `prevSeq` now has
   * everything up to `seq`; otherwise something in between has not reached it yet (see
   * docs/websocket-contract.md, "Catch-up without gaps").
   */
  prevSeq: string;
}

export interface SessionEndPayload {
  reason: SocketErrorCode;
}

export interface DeletedPayload {
  id: string;
}
export interface ReadAckPayload {
  id: string;
  readAt: string;
}
export interface MarkReadPayload {
  id: string;
}
/** `notification:ack` and `notification:delivered`. */
export interface NotificationIdPayload {
  id: string;
}
/** `notification:snooze`. */
export interface SnoozePayload extends SnoozeRequest {
  id: string;
}
export interface SendUpdatedPayload {
  sendId: string;
  counts: SendCounts;
}
export interface ChannelPayload {
  channel: string;
}
export interface SyncPayload {
  /** The client's safe cursor, as a decimal string ("0" for none). */
  afterSeq: string;
}

/** The `sync` acknowledgement, sent after the replayed notifications. */
export interface SyncResult {
  replayed: number;
  /** More than a page was missed: nothing was replayed; refetch the list and count instead. */
  refresh: boolean;
  /**
   * Everything of the user's up to this seq has now been sent to this socket (or no longer
   * exists): the client may move its safe cursor here. Equals `afterSeq` when `refresh` is true.
   */
  upToSeq: string;
}

export interface ServerToClientEvents {
  'notification:new': (notification: NewNotificationPayload) => void;
  'notification:updated': (notification: NotificationDto) => void;
  'notification:deleted': (payload: DeletedPayload) => void;
  'notification:unread-count': (payload: UnreadCountDto) => void;
  'notification:refresh': () => void;
  'notification:resync': () => void;
  'notification:read-ack': (payload: ReadAckPayload) => void;
  'notification:reminder': (notification: NotificationDto) => void;
  'send:updated': (payload: SendUpdatedPayload) => void;
  'session:end': (payload: SessionEndPayload) => void;
}

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: SocketErrorCode };

export interface ClientToServerEvents {
  'notification:mark-read': (payload: MarkReadPayload, ack: (result: Ack<{ notification: NotificationDto }>) => void) => void;
  'notification:mark-all-read': (ack: (result: Ack<{ updated: number }>) => void) => void;
  'notification:ack': (payload: NotificationIdPayload, ack: (result: Ack<{ notification: NotificationDto }>) => void) => void;
  'notification:delivered': (payload: NotificationIdPayload | SeenRequest, ack: (result: Ack) => void) => void;
  'notification:seen': (payload: SeenRequest, ack: (result: Ack<SeenResult>) => void) => void;
  'notification:mark-unread': (payload: MarkReadPayload, ack: (result: Ack<{ notification: NotificationDto }>) => void) => void;
  'notification:archive': (payload: NotificationIdPayload, ack: (result: Ack<{ notification: NotificationDto }>) => void) => void;
  'notification:unarchive': (payload: NotificationIdPayload, ack: (result: Ack<{ notification: NotificationDto }>) => void) => void;
  'notification:snooze': (payload: SnoozePayload, ack: (result: Ack<{ notification: NotificationDto }>) => void) => void;
  'notification:unsnooze': (payload: NotificationIdPayload, ack: (result: Ack<{ notification: NotificationDto }>) => void) => void;
  subscribe: (payload: ChannelPayload, ack: (result: Ack) => void) => void;
  unsubscribe: (payload: ChannelPayload, ack: (result: Ack) => void) => void;
  join: (payload: ChannelPayload, ack: (result: Ack) => void) => void;
  sync: (payload: SyncPayload, ack: (result: Ack<SyncResult>) => void) => void;
}

/** Handshake `auth` object: the access token and, on reconnect, the catch-up cursor. */
export interface SocketAuth {
  token: string;
  /** The client's safe cursor: what came after it is replayed, oldest first (or `notification:refresh`). */
  lastSeq?: string;
}

export const userRoom = (userId: string): string => `user:${userId}`;
export const roleRoom = (role: Role): string => `role:${role}`;
export const teamRoom = (teamId: string): string => `team:${teamId}`;

