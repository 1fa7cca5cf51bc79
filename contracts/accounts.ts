// Accounts, teams and the audit log: the REST shapes of user and team administration and of
// GET /api/audit (docs/rest-api.md, "Accounts, teams and audit"). Re-exported by index.ts.
import type { DeliveryDto } from './channels';
import type { Language } from './language';
import type { NotificationDto, Role, TeamRefDto, UserDto, UserRefDto } from './index';
import type { NotificationPreferenceDto, NotificationSettingsDto } from './preferences';

// ---- users -------------------------------------------------------------------------------

/** A phone number in E.164: a plus, a country code that does not start with 0, 7 to 15 digits. */
export const PHONE_PATTERN = /^\+[1-9][0-9]{6,14}$/;

/** A user as administrators (and, for themselves, every user through GET /auth/me) see them. */
export interface AccountDto extends UserDto {
  /** E.164, or null when none was given. */
  phone: string | null;
  /** By name. */
  teams: TeamRefDto[];
}

/** GET /users (admin): query `q` (part of the name or email, any letter case), `cursor`, `limit`; by name. */
export interface AccountPageDto {
  items: AccountDto[];
  /** Pass as `cursor` to get the next page; null when there is none. */
  nextCursor: string | null;
}

/** POST /users (admin). */
export interface CreateUserRequest {
  /** Unique whatever its letter case; stored in lower case. 409 when taken. */
  email: string;
  name: string;
  role: Role;
  /** Teams the user joins at once; an unknown team is 404 and creates nothing. */
  teamIds?: string[];
  phone?: string;
  /** What the server writes for them in; DEFAULT_LANGUAGE when left out. The user changes it in their settings. */
  language?: Language;
  /**
   * At least `MIN_PASSWORD_LENGTH` characters. Without one the server generates a password and
   * answers it once, as `initialPassword`: hand it to the user, who changes it after signing in.
   */
  password?: string;
}

/** 201 of POST /users. */
export interface CreateUserResult {
  user: AccountDto;
  /** Only when the request had no `password`. Shown once: the server keeps only its hash. */
  initialPassword?: string;
}

/**
 * POST /users/:id/reset-password (admin): the user's password is replaced by a generated one and
 * every session of theirs ends (their sockets get `session:end`). Shown once.
 */
export interface ResetPasswordResult {
  user: AccountDto;
  temporaryPassword: string;
}

/**
 * GET /users/:id/export (admin): what the system holds about one user, for a request to see
 * one's data: the account (never its password hash), their notification settings and
 * preferences, every notification of theirs with its receipts, and the email and SMS deliveries
 * addressed to them, each oldest first. What retention purged is gone from it too. Audited
 * (`user.exported`).
 */
export interface UserExportDto {
  exportedAt: string;
  user: AccountDto;
  settings: NotificationSettingsDto;
  preferences: NotificationPreferenceDto[];
  notifications: NotificationDto[];
  deliveries: DeliveryDto[];
}

// ---- teams -------------------------------------------------------------------------------

/** GET /teams: every team, by name, for everyone signed in (an order or a send can be addressed to any). */
export interface TeamDto {
  id: string;
  name: string;
  createdAt: string;
  /** Active members. */
  memberCount: number;
  /** Whether the caller is a member. */
  isMember: boolean;
}

/** GET /teams/:id (admins and the team's members), and the answer of every team change. */
export interface TeamDetailDto extends TeamDto {
  /** By name, deactivated members included (they receive nothing while deactivated). */
  members: UserDto[];
}

/** POST /teams (admin). The name is unique whatever its letter case: 409 when taken. */
export interface CreateTeamRequest {
  name: string;
  /** Initial members; an unknown user is 404 and creates nothing. */
  userIds?: string[];
}

/** PATCH /teams/:id (admin): renames the team. */
export interface UpdateTeamRequest {
  name: string;
}

/**
 * PUT /teams/:id/members (admin): the complete member list. Users added join `team:{id}` on their
 * open sockets at once, users removed leave it, on every node, without reconnecting.
 */
export interface SetTeamMembersRequest {
  userIds: string[];
}

// ---- audit log ---------------------------------------------------------------------------

/** What an audit entry records. Every entry is written in the transaction of the change itself. */
export const AUDIT_ACTIONS = [
  /** A session started; target: the session. */
  'auth.signed-in',
  /** Wrong email or password, or a deactivated account; no actor; details: the email tried and why. */
  'auth.sign-in-failed',
  /** The actor changed their own password; their other sessions ended. */
  'auth.password-changed',
  /** Logout, or a refresh token presented twice (then no actor: whoever presented it is unknown). */
  'session.ended',
  'user.created',
  /** details.changes: each changed field `{ from, to }`; teams as `{ added, removed }`. */
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.password-reset',
  /** An admin exported everything held about the user (GET /users/:id/export); details: how many notifications and deliveries. */
  'user.exported',
  'team.created',
  'team.renamed',
  'team.deleted',
  /** details: `{ added, removed }` user ids. */
  'team.members-changed',
  /** An admin send; target: the user or team, or the role / everyone (targetType `role` / `all`). */
  'notification.sent',
  /** An admin scheduled a send (`sendAt` in details); target as for `notification.sent`. */
  'notification.scheduled',
  /** An admin cancelled a scheduled send; target: the send. */
  'send.cancelled',
  /** A recipient acknowledged a notification; target: its send. */
  'notification.acknowledged',
  /** Nobody acknowledged in time: an escalation step went out; no actor; target: the send escalated. */
  'send.escalated',
  'order.created',
  'order.status-changed',
  'order.payment-verified',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_TARGET_TYPES = ['user', 'team', 'session', 'order', 'role', 'all', 'send'] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

export interface AuditEntryDto {
  id: string;
  /** The cursor: a bigint as a decimal string, higher is later. */
  seq: string;
  at: string;
  /** Null for what no signed-in user did (a failed sign-in). */
  actorId: string | null;
  /** The actor's current name; null when there is no actor or the account no longer exists. */
  actor: UserRefDto | null;
  action: AuditAction;
  targetType: AuditTargetType | null;
  targetId: string | null;
  /** The backend node that wrote it (NODE_NAME). */
  node: string;
  /** What changed, per action; never a password, token or hash. */
  details: Record<string, unknown>;
}

/**
 * GET /audit (admin): newest first. Query: `actorId`, `action`, `from` and `to` (ISO times,
 * `from` included, `to` excluded), `cursor`, `limit`.
 */
export interface AuditPageDto {
  items: AuditEntryDto[];
  /** Pass as `cursor` to get the next (older) page; null when there is none. */
  nextCursor: string | null;
}
