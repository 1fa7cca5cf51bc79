import type { EscalationTarget, Language, NotificationTarget } from '@clinic/contracts';
import type { SendRecord, SendTargetKind } from '../notifications/notifications.repository';

const TARGET_WORDS: Readonly<Record<Language, Readonly<Record<'all' | 'STAFF' | 'ADMIN' | 'user' | 'team' | 'order', string>>>> = {
  en: { all: 'Everyone', STAFF: 'All staff', ADMIN: 'All admins', user: 'Deleted user', team: 'Deleted team', order: 'Deleted order' },
  es: { all: 'Todos', STAFF: 'Todo el personal', ADMIN: 'Todos los administradores', user: 'Usuario eliminado', team: 'Equipo eliminado', order: 'Pedido eliminado' },
};

/** How a send's row records who it was addressed to. */
export function targetRecord(target: NotificationTarget | EscalationTarget): SendRecord['target'] {
  if ('userId' in target) return { kind: 'user', id: target.userId };
  if ('teamId' in target) return { kind: 'team', id: target.teamId };
  if ('role' in target) return { kind: 'role', id: target.role };
  return { kind: 'all', id: null };
}

/** A target in words: the user's or team's name (from `names`), the role, everyone. */
export function targetLabel(kind: SendTargetKind, id: string | null, names: ReadonlyMap<string, string>, language: Language): string {
  const words = TARGET_WORDS[language];
  if (kind === 'all') return words.all;
  if (kind === 'role') return id === 'STAFF' || id === 'ADMIN' ? words[id] : String(id);
  const name = id ? names.get(id) : undefined;
  if (name) return name;
  return words[kind];
}
