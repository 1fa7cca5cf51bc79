import type { NotificationPriority, NotificationType } from '@clinic/contracts';

export const TYPE_LABELS: Readonly<Record<NotificationType, string>> = {
  GENERAL: $localize`:@@inbox.typeGeneral:General`,
  ORDER_CREATED: $localize`:@@inbox.typeOrderCreated:New order`,
  ORDER_STATUS_CHANGED: $localize`:@@inbox.typeOrderStatusChanged:Order update`,
  PAYMENT_VERIFIED: $localize`:@@inbox.typePaymentVerified:Payment`,
  SYSTEM_ALERT: $localize`:@@inbox.typeSystemAlert:System alert`,
  ESCALATION: $localize`:@@inbox.typeEscalation:Escalation`,
};

/** The names of a row's buttons for screen readers, which say which notification each acts on. */
export const ROW_LABELS = {
  select: (title: string) => $localize`:@@inbox.selectLabel:Select “${title}:TITLE:”`,
  acknowledge: (title: string) => $localize`:@@inbox.acknowledgeLabel:Acknowledge “${title}:TITLE:”`,
  markAsRead: (title: string) => $localize`:@@inbox.markAsReadLabel:Mark “${title}:TITLE:” as read`,
  markAsUnread: (title: string) => $localize`:@@inbox.markAsUnreadLabel:Mark “${title}:TITLE:” as unread`,
  moveToInbox: (title: string) => $localize`:@@inbox.moveToInboxLabel:Move “${title}:TITLE:” back to the inbox`,
  archive: (title: string) => $localize`:@@inbox.archiveLabel:Archive “${title}:TITLE:”`,
  unsnooze: (title: string) => $localize`:@@inbox.backNowLabel:End the snooze of “${title}:TITLE:”`,
  snooze: (title: string) => $localize`:@@inbox.snoozeLabel:Snooze “${title}:TITLE:”`,
  delete: (title: string) => $localize`:@@inbox.deleteLabel:Delete “${title}:TITLE:”`,
  dismiss: (title: string) => $localize`:@@toast.dismissLabel:Dismiss “${title}:TITLE:”`,
} as const;

export const PRIORITY_LABELS: Readonly<Record<NotificationPriority, string>> = {
  LOW: $localize`:@@inbox.priorityLow:Low`,
  NORMAL: $localize`:@@inbox.priorityNormal:Normal`,
  HIGH: $localize`:@@inbox.priorityHigh:High`,
  CRITICAL: $localize`:@@inbox.priorityCritical:Critical`,
};
