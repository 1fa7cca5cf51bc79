import type { AuditAction, AuditTargetType } from '@clinic/contracts';

export const ACTION_LABELS: Readonly<Record<AuditAction, string>> = {
  'auth.signed-in': $localize`:@@audit.actionAuthSignedIn:Signed in`,
  'auth.sign-in-failed': $localize`:@@audit.actionAuthSignInFailed:Failed sign-in`,
  'auth.password-changed': $localize`:@@audit.actionAuthPasswordChanged:Changed own password`,
  'session.ended': $localize`:@@audit.actionSessionEnded:Session ended`,
  'user.created': $localize`:@@audit.actionUserCreated:User created`,
  'user.updated': $localize`:@@audit.actionUserUpdated:User changed`,
  'user.deactivated': $localize`:@@audit.actionUserDeactivated:User deactivated`,
  'user.reactivated': $localize`:@@audit.actionUserReactivated:User reactivated`,
  'user.password-reset': $localize`:@@audit.actionUserPasswordReset:Password reset`,
  'user.exported': $localize`:@@audit.actionUserExported:User data exported`,
  'team.created': $localize`:@@audit.actionTeamCreated:Team created`,
  'team.renamed': $localize`:@@audit.actionTeamRenamed:Team renamed`,
  'team.deleted': $localize`:@@audit.actionTeamDeleted:Team deleted`,
  'team.members-changed': $localize`:@@audit.actionTeamMembersChanged:Team members changed`,
  'notification.sent': $localize`:@@audit.actionNotificationSent:Notification sent`,
  'notification.scheduled': $localize`:@@audit.actionNotificationScheduled:Notification scheduled`,
  'send.cancelled': $localize`:@@audit.actionSendCancelled:Scheduled send cancelled`,
  'notification.acknowledged': $localize`:@@audit.actionNotificationAcknowledged:Notification acknowledged`,
  'send.escalated': $localize`:@@audit.actionSendEscalated:Alert escalated`,
  'order.created': $localize`:@@audit.actionOrderCreated:Order created`,
  'order.status-changed': $localize`:@@audit.actionOrderStatusChanged:Order status changed`,
  'order.payment-verified': $localize`:@@audit.actionOrderPaymentVerified:Payment verified`,
};

/** The action filter's groups, by the part of the action before the dot. */
export const ACTION_GROUPS: ReadonlyArray<{ readonly label: string; readonly prefixes: readonly string[] }> = [
  { label: $localize`:@@audit.groupSignInAndSessions:Sign-in and sessions`, prefixes: ['auth', 'session'] },
  { label: $localize`:@@audit.groupUsers:Users`, prefixes: ['user'] },
  { label: $localize`:@@audit.groupTeams:Teams`, prefixes: ['team'] },
  { label: $localize`:@@audit.groupNotifications:Notifications`, prefixes: ['notification', 'send'] },
  { label: $localize`:@@audit.groupOrders:Orders`, prefixes: ['order'] },
];

export const TARGET_LABELS: Readonly<Record<AuditTargetType, string>> = {
  user: $localize`:@@audit.targetUser:User`,
  team: $localize`:@@audit.targetTeam:Team`,
  session: $localize`:@@audit.targetSession:Session`,
  order: $localize`:@@audit.targetOrder:Order`,
  role: $localize`:@@audit.targetRole:Role`,
  all: $localize`:@@audit.targetAll:Everyone`,
  send: $localize`:@@audit.targetSend:Send`,
};
