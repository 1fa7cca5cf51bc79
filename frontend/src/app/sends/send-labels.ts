import type { Role, SendStatus, SendTargetDto } from '@clinic/contracts';

export const STATUS_LABELS: Readonly<Record<SendStatus, string>> = {
  scheduled: $localize`:@@sends.statusScheduled:Scheduled`,
  sent: $localize`:@@sends.statusSent:Sent`,
  cancelled: $localize`:@@sends.statusCancelled:Cancelled`,
};

/** Everyone with a role, as an audience (the send form's role picker says it too). */
export const ROLE_AUDIENCES: Readonly<Record<Role, string>> = {
  STAFF: $localize`:@@sends.audienceStaff:All staff`,
  ADMIN: $localize`:@@sends.audienceAdmins:All admins`,
};

/**
 * Who a send (or an escalation) goes to, as a person reads it: "Nora Nurse", "Team Lab", "All
 * admins", "Everyone", or the people concerned by an order's change.
 */
export function describeTarget(target: SendTargetDto): string {
  switch (target.kind) {
    case 'user':
      return target.label;
    case 'team':
      return $localize`:@@sends.targetTeam:Team ${target.label}:TEAM:`;
    case 'role':
      return ROLE_AUDIENCES[target.id as Role] ?? target.label;
    case 'all':
      return $localize`:@@sends.targetAll:Everyone`;
    case 'order':
      return $localize`:@@sends.targetOrder:Concerned by the order for ${target.label}:PATIENT:`;
  }
}

/** "30 seconds", "2 minutes", "1 hour 30 minutes". */
export function describeDelay(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [
    hours ? describeUnit(hours, 'hour') : '',
    minutes ? describeUnit(minutes, 'minute') : '',
    rest || seconds === 0 ? describeUnit(rest, 'second') : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** "1 hour", "2 minutes", "0 seconds": a count of one unit of time. */
export function describeUnit(count: number, unit: 'hour' | 'minute' | 'second'): string {
  switch (unit) {
    case 'hour':
      return count === 1 ? $localize`:@@sends.oneHour:1 hour` : $localize`:@@sends.hours:${count}:COUNT: hours`;
    case 'minute':
      return count === 1 ? $localize`:@@sends.oneMinute:1 minute` : $localize`:@@sends.minutes:${count}:COUNT: minutes`;
    case 'second':
      return count === 1 ? $localize`:@@sends.oneSecond:1 second` : $localize`:@@sends.seconds:${count}:COUNT: seconds`;
  }
}
