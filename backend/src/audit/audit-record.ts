import type { AuditAction, AuditTargetType } from '@clinic/contracts';

/** What a change tells the audit log about itself; the node and the time are added by AuditService. */
export interface AuditRecord {
  /** The signed-in user who acted; null when nobody did (a failed sign-in). */
  actorId: string | null;
  action: AuditAction;
  target?: { type: AuditTargetType; id: string | null };
  /** What changed. Keys that name a secret are dropped (see withoutSecrets). */
  details?: Record<string, unknown>;
}

/** A row as the repository writes it. */
export interface AuditRow {
  actorId: string | null;
  action: AuditAction;
  targetType: AuditTargetType | null;
  targetId: string | null;
  node: string;
  details: Record<string, unknown>;
}

/** Any key that could hold a credential: password, passphrase, token, secret, hash, cookie, authorization. */
const SECRET_KEY = /password|passphrase|token|secret|hash|cookie|authori[sz]ation/i;

/**
 * The details without any key that names a secret, at any depth: a second line of defence, so a
 * careless `details: { ...request }` cannot put a password in the append-only log, where it could
 * never be removed. Callers still pass only what they mean to record.
 */
export function withoutSecrets(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details)
      .filter(([key]) => !SECRET_KEY.test(key))
      .map(([key, value]) => [key, scrub(value)]),
  );
}

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) return withoutSecrets(value as Record<string, unknown>);
  return value;
}
