import type { NotificationPriority, NotificationType } from '@clinic/contracts';

export const TYPE_LABELS: Readonly<Record<NotificationType, string>> = {
  GENERAL: $localize`:@@inbox.typeGeneral:General`,
  ORDER_CREATED: $localize`:@@inbox.typeOrderCreated:New order`,
  ORDER_STATUS_CHANGED: $localize`:@@inbox.typeOrderStatusChanged:Order update`,
  PAYMENT_VERIFIED: $localize`:@@inbox.typePaymentVerified:Payment`,
  SYSTEM_ALERT: $localize`:@@inbox.typeSystemAlert:System alert`,
  ESCALATION: $localize`:@@inbox.typeEscalation:Escalation`,
};

export const PRIORITY_LABELS: Readonly<Record<NotificationPriority, string>> = {
  LOW: $localize`:@@inbox.priorityLow:Low`,
  NORMAL: $localize`:@@inbox.priorityNormal:Normal`,
  HIGH: $localize`:@@inbox.priorityHigh:High`,
  CRITICAL: $localize`:@@inbox.priorityCritical:Critical`,
};
