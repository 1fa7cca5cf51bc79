import type { Role, SendStatus, SendTargetDto } from '@clinic/contracts';

export const STATUS_LABELS: Readonly<Record<SendStatus, string>> = {
  scheduled: 'Scheduled',
  sent: 'Sent',
  cancelled: 'Cancelled',
};

const ROLE_AUDIENCES: Readonly<Record<Role, string>> = { STAFF: 'All staff', ADMIN: 'All admins' };

/**
 * Who a send (or an escalation) goes to, as a person reads it: "Nora Nurse", "Team Lab", "All
 * admins", "Everyone", or the people concerned by an order's change.
 */
export function describeTarget(target: SendTargetDto): string {
  switch (target.kind) {
    case 'user':
      return target.label;
    case 'team':
      return `Team ${target.label}`;
    case 'role':
      return ROLE_AUDIENCES[target.id as Role] ?? target.label;
    case 'all':
      return 'Everyone';
    case 'order':
      return `Concerned by the order for ${target.label}`;
  }
}

/** "30 seconds", "2 minutes", "1 hour 30 minutes". */
export function describeDelay(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [
    hours ? plural(hours, 'hour') : '',
    minutes ? plural(minutes, 'minute') : '',
    rest || seconds === 0 ? plural(rest, 'second') : '',
  ];
  return parts.filter(Boolean).join(' ');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
