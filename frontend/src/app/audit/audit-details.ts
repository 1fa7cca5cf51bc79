import type { AuditEntryDto, Role } from '@clinic/contracts';

import { TARGET_LABELS } from './audit-labels';

export interface DetailLine {
  readonly label: string;
  readonly text: string;
}

/** Names of the users and teams the page knows, by id, so that entries read "Nora Nurse", not an id. */
export type KnownNames = ReadonlyMap<string, string>;

const ROLE_NAMES: Readonly<Record<Role, string>> = { STAFF: $localize`:@@audit.roleStaff:Staff`, ADMIN: $localize`:@@audit.roleAdmins:Admins` };

/** What an entry was about: "User Nora Nurse", "Order 3f2a…", "Everyone". */
export function describeTarget(entry: AuditEntryDto, names: KnownNames): string {
  if (!entry.targetType) return '';
  const type = TARGET_LABELS[entry.targetType];
  if (entry.targetType === 'all') return type;
  if (!entry.targetId) return type;
  if (entry.targetType === 'role') return `${type} ${ROLE_NAMES[entry.targetId as Role] ?? entry.targetId}`;
  return `${type} ${names.get(entry.targetId) ?? shortId(entry.targetId)}`;
}

/**
 * An entry's details as lines of text: keys as words ("userAgent" → "user agent"), ids the page
 * knows as names, changes as "from → to".
 */
export function describeDetails(details: Record<string, unknown>, names: KnownNames): DetailLine[] {
  return Object.entries(details).map(([key, value]) => ({ label: words(key), text: describeValue(value, names) }));
}

function describeValue(value: unknown, names: KnownNames): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return names.get(value) ?? value;
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? $localize`:@@audit.noneValue:none` : value.map((item) => describeValue(item, names)).join(', ');
  const record = value as Record<string, unknown>;
  if ('from' in record && 'to' in record) return `${describeValue(record['from'], names)} → ${describeValue(record['to'], names)}`;
  return Object.entries(record)
    .map(([key, inner]) => `${words(key)}: ${describeValue(inner, names)}`)
    .join('; ');
}

function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
