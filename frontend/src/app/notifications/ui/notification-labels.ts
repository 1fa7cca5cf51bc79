import type { NotificationPriority, NotificationType } from '@clinic/contracts';

export const TYPE_LABELS: Readonly<Record<NotificationType, string>> = {
  GENERAL: 'General',
  ORDER_CREATED: 'New order',
  ORDER_STATUS_CHANGED: 'Order update',
  PAYMENT_VERIFIED: 'Payment',
  SYSTEM_ALERT: 'System alert',
  ESCALATION: 'Escalation',
};

export const PRIORITY_LABELS: Readonly<Record<NotificationPriority, string>> = {
  LOW: 'Low',
  NORMAL: 'Normal',
  HIGH: 'High',
  CRITICAL: 'Critical',
};
