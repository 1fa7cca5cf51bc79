// Alerts that cannot be missed: acknowledgement, escalation, receipts and scheduled sends — the
// REST shapes of /api/sends and of the acknowledgement and receipt endpoints (docs/rest-api.md,
// "Alerts"). The socket events are in socket-io.ts. Re-exported by index.ts.
import type { NotificationPriority, NotificationType, Role } from './index';

// ---- acknowledgement and escalation ------------------------------------------------------

/** Whether a send of this priority must be acknowledged whatever the request says. */
export function requiresAck(priority: NotificationPriority, requested: boolean | undefined): boolean {
  return priority === 'CRITICAL' || requested === true;
}

/** Who an escalation goes to: one user, a team's active members, or everyone with a role. */
export type EscalationTarget = { userId: string } | { teamId: string } | { role: Role };

/**
 * `escalation` on a send: if none of its recipients has acknowledged `afterSeconds` after it went
 * out, `to` receives a CRITICAL `ESCALATION` notification; again after each further
 * `afterSeconds`, up to the server's `ESCALATION_MAX_STEPS`. An escalation makes the send
 * require acknowledgement. CRITICAL sends without one escalate to role ADMIN after the server's
 * `CRITICAL_ESCALATE_AFTER_SECONDS`.
 */
export interface EscalationRequest {
  /** At least the server's `ESCALATION_MIN_SECONDS` (30 by default), at most `MAX_ESCALATION_SECONDS`. */
  afterSeconds: number;
  to: EscalationTarget;
}
export const MAX_ESCALATION_SECONDS = 86_400;

/** GET /sends/settings (admins): the server's escalation settings, for the send form. */
export interface AlertSettingsDto {
  /** A CRITICAL send without an escalation of its own escalates to the admins after this long. */
  criticalEscalateAfterSeconds: number;
  /** The shortest `escalation.afterSeconds` this server accepts. */
  escalationMinSeconds: number;
  escalationMaxSteps: number;
}

/** `sendAt` may lie at most this far ahead. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3600 * 1000;

// ---- receipts ----------------------------------------------------------------------------

/** POST /notifications/seen and socket `notification:seen`: what the app rendered on screen. */
export interface SeenRequest {
  /** 1 to `MAX_SEEN_BATCH` of the user's own notification ids; others' ids are ignored. */
  ids: string[];
}
export const MAX_SEEN_BATCH = 100;

export interface SeenResult {
  /** How many were not marked seen before. */
  updated: number;
}

/** How many of a send's recipients have each receipt (a read or acknowledged one was also seen and delivered). */
export interface SendCounts {
  recipients: number;
  delivered: number;
  seen: number;
  read: number;
  acknowledged: number;
}

// ---- sends -------------------------------------------------------------------------------

export const SEND_STATUSES = ['scheduled', 'sent', 'cancelled'] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

/**
 * Who a send went to, as the sender addressed it (`order`: the people concerned by an order's
 * change). `label` is the user's, team's or role's name, or the order's patient.
 */
export interface SendTargetDto {
  kind: 'user' | 'team' | 'role' | 'all' | 'order';
  /** The user's, team's or order's id, the role, or null for everyone. */
  id: string | null;
  label: string;
}

export interface SendEscalationDto {
  afterSeconds: number;
  to: SendTargetDto;
  /** Steps that have fired so far. */
  stepsDone: number;
  maxSteps: number;
}

/**
 * One send: an admin's notification, an order's notification, or an escalation step. Every
 * notification it created carries its `sendId`.
 */
export interface SendSummaryDto {
  id: string;
  /** Null for a send made by the system (none yet). */
  sender: { id: string; name: string } | null;
  type: NotificationType;
  priority: NotificationPriority;
  title: string;
  target: SendTargetDto;
  requireAck: boolean;
  status: SendStatus;
  /** When a scheduled send goes (or went) out; null for one sent at once. */
  sendAt: string | null;
  createdAt: string;
  sentAt: string | null;
  /** The first acknowledgement by any recipient (or of one of its escalations). */
  acknowledgedAt: string | null;
  escalation: SendEscalationDto | null;
  /** For an escalation step: the send it escalates. */
  escalationOf: string | null;
  counts: SendCounts;
}

/** GET /sends (admins): newest first; query `status`, `cursor`, `limit`. */
export interface SendPageDto {
  items: SendSummaryDto[];
  nextCursor: string | null;
}

export interface SendRecipientDto {
  userId: string;
  name: string;
  deliveredAt: string | null;
  seenAt: string | null;
  readAt: string | null;
  acknowledgedAt: string | null;
}

export interface EscalationStepDto {
  step: number;
  /** The escalation step's own send (its receipts are at GET /sends/:sendId). */
  sendId: string;
  at: string;
  recipients: number;
}

/**
 * GET /sends/:sendId: admins, the sender, and anyone who received one of its escalations.
 * Recipients by name, at most `MAX_LISTED_RECIPIENTS` (the counts cover all of them).
 */
export interface SendDetailDto extends SendSummaryDto {
  message: string;
  recipients: SendRecipientDto[];
  escalations: EscalationStepDto[];
}
export const MAX_LISTED_RECIPIENTS = 500;

/** The in-app page of a send's receipts (the `actionUrl` of an escalation). */
export const sendReceiptsPath = (sendId: string): string => `/sends/${sendId}`;
