// Beyond the app: email and SMS deliveries of notifications (docs/rest-api.md, "Email and SMS").
// Re-exported by index.ts.
import type { UserRefDto } from './index';

export const DELIVERY_CHANNELS = ['EMAIL', 'SMS'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/**
 * `queued`: waiting or being retried; `sent`: the provider accepted it; `failed`: every attempt
 * failed (a dead letter, which an admin may retry); `outbox`: no provider is configured for the
 * channel (no SMTP_URL, or the logging SMS provider), so it was kept here and logged.
 */
export const DELIVERY_STATUSES = ['queued', 'sent', 'failed', 'outbox'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** `notification`: one notification; `digest`: a user's daily digest of what is unread. */
export const DELIVERY_KINDS = ['notification', 'digest'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/**
 * One notification on one external channel, never two for the same (notification, channel); or
 * one user's daily digest (by email), never two for the same day.
 */
export interface DeliveryDto {
  id: string;
  kind: DeliveryKind;
  /** Null for a digest. */
  notificationId: string | null;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  recipient: UserRefDto;
  /** The e-mail address or phone number it went (or goes) to. */
  address: string;
  /** What was (or is to be) sent: without the notification's content unless the server is configured to include it. */
  subject: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  /** When the provider accepted it, or, in the outbox, when it was kept there. */
  sentAt: string | null;
}

/** GET /deliveries (admins): newest first; query `status`, `cursor`, `limit`. */
export interface DeliveryPageDto {
  items: DeliveryDto[];
  nextCursor: string | null;
}
