// The wire contract between the backend and the Angular app: event names, payloads and the
// REST shapes both sides exchange. The only place an event name is spelled out.

export const NOTIFICATION_TYPES = [
  'GENERAL',
  'ORDER_CREATED',
  'ORDER_STATUS_CHANGED',
  'PAYMENT_VERIFIED',
  'SYSTEM_ALERT',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'CRITICAL'] as const;
export type NotificationPriority = (typeof NOTIFICATION_PRIORITIES)[number];

export const ROLES = ['STAFF', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const PAYMENT_STATUSES = ['UNPAID', 'PAID'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Which status may follow which; anything else is refused with 409. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['IN_PROGRESS', 'CANCELLED'],
  IN_PROGRESS: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
};

// ---- REST shapes -------------------------------------------------------------------------

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface TokenResponse {
  accessToken: string;
  /** Access token lifetime in seconds. */
  expiresIn: number;
  /** Opaque, single-use: exchange it at POST /api/auth/refresh for a new pair. */
  refreshToken: string;
  refreshExpiresIn: number;
  user: UserDto;
}

export interface RefreshRequest {
  refreshToken: string;
}

/**
 * `seq` is a decimal string: it is a PostgreSQL bigint, the catch-up cursor, and must not lose
 * precision in JSON.
 */
export interface NotificationDto {
  id: string;
  seq: string;
  userId: string;
  type: NotificationType;
  title: string;
  message: string;
  priority: NotificationPriority;
  actionUrl: string | null;
  actionText: string | null;
  metadata: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}

export interface NotificationPageDto {
  items: NotificationDto[];
  /** Pass as `cursor` to get the next (older) page; null when there is none. */
  nextCursor: string | null;
}

export interface UnreadCountDto {
  count: number;
}

export interface NotificationPreferenceDto {
  type: NotificationType;
  muted: boolean;
}

export interface HealthDto {
  status: 'ok' | 'error';
  database: 'up' | 'down';
  redis: 'up' | 'down' | 'disabled';
}

export interface ReadinessDto extends HealthDto {
  /** Committed migrations not yet applied; null when the database cannot be asked. */
  pendingMigrations: string[] | null;
}

// ---- Socket.IO ---------------------------------------------------------------------------

export const SOCKET_PATH = '/socket.io';

/** Server → client events. */
export const ServerEvent = {
  New: 'notification:new',
  Updated: 'notification:updated',
  Deleted: 'notification:deleted',
  UnreadCount: 'notification:unread-count',
  Refresh: 'notification:refresh',
  ReadAck: 'notification:read-ack',
} as const;

/** Client → server events; each is answered through the acknowledgement callback. */
export const ClientEvent = {
  MarkRead: 'notification:mark-read',
  MarkAllRead: 'notification:mark-all-read',
  Subscribe: 'subscribe',
  Unsubscribe: 'unsubscribe',
  Join: 'join',
  Sync: 'sync',
} as const;

/** `connect_error` message and disconnect reasons the client acts on. */
export const SocketError = {
  Unauthorized: 'unauthorized',
  TokenExpired: 'token-expired',
  Forbidden: 'forbidden',
} as const;

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
export interface ChannelPayload {
  channel: string;
}
export interface SyncPayload {
  /** Highest seq the client has seen, as a decimal string ("0" for none). */
  afterSeq: string;
}

export interface ServerToClientEvents {
  'notification:new': (notification: NotificationDto) => void;
  'notification:updated': (notification: NotificationDto) => void;
  'notification:deleted': (payload: DeletedPayload) => void;
  'notification:unread-count': (payload: UnreadCountDto) => void;
  'notification:refresh': () => void;
  'notification:read-ack': (payload: ReadAckPayload) => void;
}

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

export interface ClientToServerEvents {
  'notification:mark-read': (payload: MarkReadPayload, ack: (result: Ack<{ notification: NotificationDto }>) => void) => void;
  'notification:mark-all-read': (ack: (result: Ack<{ updated: number }>) => void) => void;
  subscribe: (payload: ChannelPayload, ack: (result: Ack) => void) => void;
  unsubscribe: (payload: ChannelPayload, ack: (result: Ack) => void) => void;
  join: (payload: ChannelPayload, ack: (result: Ack) => void) => void;
  sync: (payload: SyncPayload, ack: (result: Ack<{ replayed: number; refresh: boolean }>) => void) => void;
}

/** Handshake `auth` object: the access token and, on reconnect, the catch-up cursor. */
export interface SocketAuth {
  token: string;
  lastSeq?: string;
}

export const userRoom = (userId: string): string => `user:${userId}`;
export const roleRoom = (role: Role): string => `role:${role}`;
