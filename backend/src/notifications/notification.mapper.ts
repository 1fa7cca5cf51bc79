import type { NewNotificationPayload, NotificationDto } from '@clinic/contracts';
import type { Notification } from '../generated/prisma/client';

/** The one place a stored notification becomes its wire form: bigint seq as a string, ISO dates. */
export function toNotificationDto(notification: Notification): NotificationDto {
  return {
    id: notification.id,
    seq: notification.seq.toString(),
    userId: notification.userId,
    type: notification.type,
    title: notification.title,
    message: notification.message,
    priority: notification.priority,
    actionUrl: notification.actionUrl,
    actionText: notification.actionText,
    metadata: isRecord(notification.metadata) ? notification.metadata : {},
    sendId: notification.sendId,
    requireAck: notification.requireAck,
    deliveredAt: notification.deliveredAt?.toISOString() ?? null,
    seenAt: notification.seenAt?.toISOString() ?? null,
    readAt: notification.readAt?.toISOString() ?? null,
    acknowledgedAt: notification.acknowledgedAt?.toISOString() ?? null,
    archivedAt: notification.archivedAt?.toISOString() ?? null,
    snoozedUntil: notification.snoozedUntil?.toISOString() ?? null,
    version: notification.version,
    createdAt: notification.createdAt.toISOString(),
  };
}

export function toNewNotificationPayload(notification: Notification, muted: boolean, prevSeq: bigint): NewNotificationPayload {
  return { ...toNotificationDto(notification), muted, prevSeq: prevSeq.toString() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
