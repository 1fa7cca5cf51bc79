import type { Role } from '@clinic/contracts';

export const ROLE_LABELS: Readonly<Record<Role, string>> = { STAFF: 'Staff', ADMIN: 'Admin' };
