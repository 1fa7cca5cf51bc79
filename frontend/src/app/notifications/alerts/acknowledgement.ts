import { awaitsAcknowledgement, NotificationDto } from '@clinic/contracts';

/** Nothing is left to tell the user about it: acknowledged, or read when reading is enough. */
export function isSettled(notification: NotificationDto): boolean {
  return !!notification.acknowledgedAt || (!!notification.readAt && !awaitsAcknowledgement(notification));
}
