import type { AuditAction, AuditTargetType } from '@clinic/contracts';

export const ACTION_LABELS: Readonly<Record<AuditAction, string>> = {
  'auth.signed-in': 'Signed in',
  'auth.sign-in-failed': 'Failed sign-in',
  'auth.password-changed': 'Changed own password',
  'session.ended': 'Session ended',
  'user.created': 'User created',
  'user.updated': 'User changed',
  'user.deactivated': 'User deactivated',
  'user.reactivated': 'User reactivated',
  'user.password-reset': 'Password reset',
  'user.exported': 'User data exported',
  'team.created': 'Team created',
  'team.renamed': 'Team renamed',
  'team.deleted': 'Team deleted',
  'team.members-changed': 'Team members changed',
  'notification.sent': 'Notification sent',
  'notification.scheduled': 'Notification scheduled',
  'send.cancelled': 'Scheduled send cancelled',
  'notification.acknowledged': 'Notification acknowledged',
  'send.escalated': 'Alert escalated',
  'order.created': 'Order created',
  'order.status-changed': 'Order status changed',
  'order.payment-verified': 'Payment verified',
};

/** The action filter's groups, by the part of the action before the dot. */
export const ACTION_GROUPS: ReadonlyArray<{ readonly label: string; readonly prefixes: readonly string[] }> = [
  { label: 'Sign-in and sessions', prefixes: ['auth', 'session'] },
  { label: 'Users', prefixes: ['user'] },
  { label: 'Teams', prefixes: ['team'] },
  { label: 'Notifications', prefixes: ['notification', 'send'] },
  { label: 'Orders', prefixes: ['order'] },
];

export const TARGET_LABELS: Readonly<Record<AuditTargetType, string>> = {
  user: 'User',
  team: 'Team',
  session: 'Session',
  order: 'Order',
  role: 'Role',
  all: 'Everyone',
  send: 'Send',
};
