// The wire contract between the backend and the Angular app: event names, payloads and the
// REST shapes both sides exchange. The only place an event name is spelled out.
import type { EscalationRequest, SendStatus } from './alerts';
import type { Language } from './language';

export const NOTIFICATION_TYPES = [
  'GENERAL',
  'ORDER_CREATED',
  'ORDER_STATUS_CHANGED',
  'PAYMENT_VERIFIED',
  'SYSTEM_ALERT',
  'ESCALATION',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
/** The types an admin may send; `ESCALATION` only the server creates. */
export const SENDABLE_TYPES = NOTIFICATION_TYPES.filter((type): type is Exclude<NotificationType, 'ESCALATION'> => type !== 'ESCALATION');

/** Lowest first: each priority outranks the ones before it (see priorityRank). */
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

// ---- Rules both sides apply ----------------------------------------------------------------

/** Higher outranks lower: the priority's place in NOTIFICATION_PRIORITIES. */
export function priorityRank(priority: NotificationPriority): number {
  return NOTIFICATION_PRIORITIES.indexOf(priority);
}

/**
 * Whether a notification is muted for its recipient: its type is muted, and it is not `CRITICAL`,
 * which is never muted. A muted notification is still stored, listed, counted and pushed; the
 * client only shows no toast or desktop notification for it.
 */
export function isMuted(typeMuted: boolean, priority: NotificationPriority): boolean {
  return typeMuted && priority !== 'CRITICAL';
}

/** List pages (notifications, orders): `limit` when the client sends none, and the most it may ask. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * An in-app path such as `/orders?order=1` (a notification's `actionUrl`): one leading `/`, no white
 * space or backslash; not `//host` or `/\host`, which browsers treat as another site.
 */
export const IN_APP_PATH = /^\/(?![/\\])[^\s\\]*$/;

/** An order's total as typed: up to ten digits and at most two decimals ("120.50"). */
export const AMOUNT_PATTERN = /^\d{1,10}(\.\d{1,2})?$/;

// ---- REST shapes -------------------------------------------------------------------------

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** False while deactivated: the account cannot sign in and receives nothing. */
  active: boolean;
  /** The language of the app, the notifications the server writes and the mail it sends them. */
  language: Language;
  createdAt: string;
}

/** PATCH /users/:id (admin): a role change ends the user's sessions, so old powers go at once. */
export interface UpdateUserRequest {
  name?: string;
  role?: Role;
  /** E.164; null removes it. */
  phone?: string | null;
  /** The complete list of the user's teams; their open sockets follow at once. */
  teamIds?: string[];
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface TokenResponse {
  accessToken: string;
  /** Access token lifetime in seconds. */
  expiresIn: number;
  /**
   * Opaque, single-use: exchange it at POST /api/auth/refresh for a new pair. Only in the body for
   * clients that send no `Origin` header (non-browser clients); a browser gets it solely as the
   * httpOnly cookie `REFRESH_COOKIE`, where page scripts cannot read it.
   */
  refreshToken?: string;
  refreshExpiresIn: number;
  user: UserDto;
}

/**
 * POST /auth/refresh and /auth/logout: the refresh token in the body (non-browser clients), or no
 * body and the `REFRESH_COOKIE` cookie (the browser app).
 */
export interface RefreshRequest {
  refreshToken?: string;
}

/** POST /auth/change-password: the user's other sessions end; this one goes on. */
export interface ChangePasswordRequest {
  currentPassword: string;
  /** At least `MIN_PASSWORD_LENGTH` characters, and not the current one. */
  newPassword: string;
}
export const MIN_PASSWORD_LENGTH = 12;

/** The httpOnly, SameSite=Strict cookie that carries a browser's refresh token, scoped to its path. */
export const REFRESH_COOKIE = 'clinic_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';

/** A demo account the login page may offer; only ever listed when the server runs in demo mode. */
export interface DemoAccount {
  email: string;
  password: string;
  name: string;
  role: Role;
}

/** GET /auth/config: what the login page needs to know before anyone signs in. */
export interface AuthConfigDto {
  /** The server seeded the public demo accounts (never in production). */
  demo: boolean;
  /** Empty unless `demo`. */
  demoAccounts: DemoAccount[];
  /** The clinic's currency (ISO 4217, the server's CLINIC_CURRENCY): order totals are amounts in it. */
  currency: string;
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
  /** The send that created it (GET /sends/:sendId). */
  sendId: string | null;
  /** It stays on screen until acknowledged (always for CRITICAL). */
  requireAck: boolean;
  /** Receipts: a device confirmed it arrived, showed it, the user read it, acknowledged it. */
  deliveredAt: string | null;
  seenAt: string | null;
  readAt: string | null;
  acknowledgedAt: string | null;
  /** Triage (contracts/triage.ts): archived out of the inbox, snoozed out of it until then. */
  archivedAt: string | null;
  snoozedUntil: string | null;
  /**
   * Counts every change of its state (read, unread, acknowledged, archived, unarchived, snoozed,
   * unsnoozed): of two copies the one with the higher version is newer. Receipts do not count.
   */
  version: number;
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

/**
 * Who receives an admin's notification: one user, the active members of a team (each their own
 * notification), everyone with a role, or everyone.
 */
export type NotificationTarget = { userId: string } | { teamId: string } | { role: Role } | { all: true };

/** POST /notifications/test (admin). */
export interface SendNotificationRequest {
  title: string;
  message: string;
  /** Defaults to `GENERAL`. */
  type?: NotificationType;
  /** Defaults to the type's usual priority. */
  priority?: NotificationPriority;
  /** An in-app path such as `/orders`; absolute URLs are refused. */
  actionUrl?: string;
  actionText?: string;
  target: NotificationTarget;
  /** Recipients must acknowledge it (see requiresAck: always for CRITICAL). */
  requireAck?: boolean;
  /** See EscalationRequest; CRITICAL sends have a default one. */
  escalation?: EscalationRequest;
  /** ISO time, in the future and at most 30 days ahead (`MAX_SCHEDULE_AHEAD_MS`): the send is stored and goes out then. */
  sendAt?: string;
}

export interface SendNotificationResult {
  sendId: string;
  /** How many notifications were created, one per recipient (0 while scheduled). */
  created: number;
  status: SendStatus;
  sendAt: string | null;
}

export interface MarkAllReadResult {
  updated: number;
}

/** Header making `POST /notifications/test` and `POST /orders` safe to retry. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on a response that repeats the stored result of an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

export interface UserRefDto {
  id: string;
  name: string;
}

export interface TeamRefDto {
  id: string;
  name: string;
}

export interface OrderDto {
  id: string;
  patientName: string;
  description: string;
  /** Decimal string with two decimals ("120.50"): money never passes through a float. */
  total: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  createdBy: UserRefDto;
  assignee: UserRefDto | null;
  /** The team it is assigned to: its members see it and act on it. */
  team: TeamRefDto | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrderPageDto {
  items: OrderDto[];
  /** Pass as `cursor` to get the next (older) page; null when there is none. */
  nextCursor: string | null;
}

export interface CreateOrderRequest {
  patientName: string;
  description: string;
  /** At most two decimals, e.g. "120.50" or 120.5. */
  total: string | number;
  assigneeId?: string | null;
  teamId?: string | null;
}

export interface ChangeOrderStatusRequest {
  status: OrderStatus;
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

// ---- Socket.IO: contracts/socket-io.ts ---------------------------------------------------

export * from './socket-io';

// ---- Plain WebSocket (clients without Socket.IO): contracts/plain-websocket.ts ---------------

export * from './plain-websocket';

// ---- Client catch-up ---------------------------------------------------------------------

/** The safe cursor and catch-up rules every client runs (docs/websocket-contract.md). */
export * from './catch-up';
export * from './accounts';
export * from './alerts';
export * from './channels';
export * from './preferences';
export * from './triage';
export * from './language';
