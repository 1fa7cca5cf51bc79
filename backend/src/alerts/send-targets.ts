import type { EscalationTarget, NotificationTarget } from '@clinic/contracts';
import type { SendRecord, SendTargetKind } from '../notifications/notifications.repository';

const ROLE_LABELS = { STAFF: 'All staff', ADMIN: 'All admins' } as const;

/** How a send's row records who it was addressed to. */
export function targetRecord(target: NotificationTarget | EscalationTarget): SendRecord['target'] {
  if ('userId' in target) return { kind: 'user', id: target.userId };
  if ('teamId' in target) return { kind: 'team', id: target.teamId };
  if ('role' in target) return { kind: 'role', id: target.role };
  return { kind: 'all', id: null };
}

/** A target in words: the user's or team's name (from `names`), the role, everyone. */
export function targetLabel(kind: SendTargetKind, id: string | null, names: ReadonlyMap<string, string>): string {
  if (kind === 'all') return 'Everyone';
  if (kind === 'role') return ROLE_LABELS[id as keyof typeof ROLE_LABELS] ?? String(id);
  const name = id ? names.get(id) : undefined;
  if (name) return name;
  return kind === 'user' ? 'Deleted user' : kind === 'team' ? 'Deleted team' : 'Deleted order';
}

