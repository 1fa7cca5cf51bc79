import { NotificationDto, requiresAck } from '@clinic/contracts';

/**
 * It must be acknowledged (always for CRITICAL) and nobody has yet on any of the user's devices: its
 * toast stays until then or until dismissed, and reading it is not enough to take it away.
 */
export function awaitsAcknowledgement(notification: NotificationDto): boolean {
  return requiresAck(notification.priority, notification.requireAck) && !notification.acknowledgedAt;
}

/** Nothing is left to tell the user about it: acknowledged, or read when reading is enough. */
export function isSettled(notification: NotificationDto): boolean {
  return !!notification.acknowledgedAt || (!!notification.readAt && !awaitsAcknowledgement(notification));
}
