import type { Role } from '@clinic/contracts';

// The same words as the role in the header and on the login page.
export const ROLE_LABELS: Readonly<Record<Role, string>> = { STAFF: $localize`:@@common.roleStaff:Staff`, ADMIN: $localize`:@@common.roleAdmin:Admin` };
