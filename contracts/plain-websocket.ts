// The plain WebSocket part of the wire contract (docs/websocket-contract.md, "Plain WebSocket"),
// for clients that do not speak Socket.IO: path, message types, close codes and payloads.
// Re-exported by index.ts. It carries what Socket.IO carries, under its own names; payloads and
// error codes are Socket.IO's (socket-io.ts), so each rule stays written once.
import type { NotificationDto, SeenRequest, SeenResult, UnreadCountDto } from './index';
import type {
  Ack,
  DeletedPayload,
  NewNotificationPayload,
  NotificationIdPayload,
  SendUpdatedPayload,
  SessionEndPayload,
  SnoozePayload,
  SyncPayload,
  SyncResult,
} from './socket-io';

/** `GET` with `Upgrade: websocket`, `?token=<access token>` (or the subprotocol below) and optional `&lastSeq=`. */
export const PLAIN_WEBSOCKET_PATH = '/ws/notifications/';

/**
 * `Sec-WebSocket-Protocol: bearer, <access token>` carries the token out of the URL (and out of
 * proxies' access logs); the server answers with this protocol alone, never with the token.
 */
export const PLAIN_WEBSOCKET_BEARER_PROTOCOL = 'bearer';

/** The server sends a WebSocket ping this often; a connection that has not answered the previous one is cut. */
export const PLAIN_WEBSOCKET_PING_INTERVAL_MS = 30_000;

/** Server → client message types. */
export const PlainServerMessage = {
  NotificationCreated: 'notification_created',
  NotificationUpdated: 'notification_updated',
  NotificationDeleted: 'notification_deleted',
  UnreadCount: 'unread_count',
  /** A snoozed notification is back (Socket.IO's `notification:reminder`). */
  Reminder: 'reminder',
  /** Many changed at once, or too many were missed: refetch the list and count over REST. */
  Refresh: 'refresh',
  /** Events may have been lost between nodes: send `sync` from the safe cursor. */
  Resync: 'resync',
  /** To the sender's and admins' connections: a send's receipt counts changed. */
  SendUpdated: 'send_updated',
  /** Sent just before the server closes the connection; `reason` says what to do. */
  SessionEnd: 'session_end',
  Pong: 'pong',
  /** The answer to every client message but `ping`, carrying its `requestId`. */
  Result: 'result',
} as const;

/** Client → server message types; `ping` is answered `pong`, every other one `result`. */
export const PlainClientMessage = {
  Ping: 'ping',
  Sync: 'sync',
  MarkRead: 'mark_read',
  MarkAllRead: 'mark_all_read',
  /** Acknowledge one own notification (marks it read too). */
  Ack: 'ack',
  /** This client received these notifications: `{ id }` or `{ ids }`; sets `deliveredAt` once. */
  Delivered: 'delivered',
  /** This client showed these notifications on screen: `{ ids }`; sets `seenAt` once. */
  Seen: 'seen',
  /** Triage of one own notification: `{ id }` (snooze: `{ id, until }`); the result carries `notification`. */
  MarkUnread: 'mark_unread',
  Archive: 'archive',
  Unarchive: 'unarchive',
  Snooze: 'snooze',
  Unsnooze: 'unsnooze',
} as const;
export type PlainClientMessageType = (typeof PlainClientMessage)[keyof typeof PlainClientMessage];

/** Why the server closed a connection (the close frame's reason is the matching SocketError code). */
export const PlainCloseCode = {
  /** The node is shutting down: reconnect (behind a load balancer, to another node) with `lastSeq`. */
  GoingAway: 1001,
  /** The connection kept sending after being refused (`rate-limited`): reconnect later and send less. */
  Flooding: 1008,
  /** A message over 16 KB. */
  MessageTooBig: 1009,
  /** The server could not check the session or catch the client up (`server-error`): retry with back-off. */
  ServerError: 1011,
  /** After `session_end`: the reason is `token-expired` (refresh, reconnect) or `session-revoked` (sign in again). */
  SessionEnded: 4001,
  /** Right after the upgrade: missing, malformed, forged, expired or revoked token (`unauthorized`). */
  Unauthorized: 4003,
  /** Right after the upgrade: the user holds `MAX_SOCKETS_PER_USER` connections already (`too-many-connections`). */
  TooManyConnections: 4029,
} as const;

/** `notification_updated`: the notification's fields as they are now; merge them into the client's copy. */
export interface PlainNotificationUpdatedPayload {
  id: string;
  updates: Omit<NotificationDto, 'id'>;
}

export interface PlainUnreadCountPayload {
  unread_count: UnreadCountDto['count'];
}

/** Every server → client message's payload, by type. */
export interface PlainServerPayloads {
  notification_created: NewNotificationPayload;
  notification_updated: PlainNotificationUpdatedPayload;
  notification_deleted: DeletedPayload;
  reminder: NotificationDto;
  unread_count: PlainUnreadCountPayload;
  refresh: Record<string, never>;
  resync: Record<string, never>;
  send_updated: SendUpdatedPayload;
  session_end: SessionEndPayload;
  pong: Record<string, never>;
  /** Socket.IO's acknowledgement: `{ ok: true, … }` or `{ ok: false, error }`. */
  result: Ack<Partial<PlainResultFields>>;
}

/** What `result` carries on success, by command (the fields of the Socket.IO acknowledgement). */
type PlainResultFields = { notification: NotificationDto } & SyncResult & SeenResult;

/**
 * A server → client frame. `requestId` is set on `pong` and `result` when the client message had
 * one (a string of 1–200 characters or a number), echoed as it came.
 */
export type PlainServerFrame = {
  [T in keyof PlainServerPayloads]: { type: T; payload: PlainServerPayloads[T]; requestId?: string | number };
}[keyof PlainServerPayloads];

/** Every client → server message's payload, by type. */
export interface PlainClientPayloads {
  ping: Record<string, never> | undefined;
  sync: SyncPayload;
  mark_read: NotificationIdPayload;
  mark_all_read: Record<string, never> | undefined;
  ack: NotificationIdPayload;
  delivered: NotificationIdPayload | SeenRequest;
  seen: SeenRequest;
  mark_unread: NotificationIdPayload;
  archive: NotificationIdPayload;
  unarchive: NotificationIdPayload;
  snooze: SnoozePayload;
  unsnooze: NotificationIdPayload;
}

export type PlainClientFrame = {
  [T in keyof PlainClientPayloads]: { type: T; payload?: PlainClientPayloads[T]; requestId?: string | number };
}[keyof PlainClientPayloads];
