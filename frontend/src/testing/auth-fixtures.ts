import type { Role, TokenResponse, UserDto } from '@clinic/contracts';

import { Session, SESSION_STORAGE_KEY } from '../app/core/auth-service';

export function testUser(role: Role = 'STAFF'): UserDto {
  return role === 'ADMIN'
    ? { id: 'u-admin', email: 'admin@clinic.test', name: 'Ada Admin', role, createdAt: '2025-01-01T00:00:00.000Z' }
    : { id: 'u-nurse', email: 'nurse@clinic.test', name: 'Nora Nurse', role, createdAt: '2025-01-01T00:00:00.000Z' };
}

/** A login or refresh response whose tokens are numbered, so tests can tell generations apart. */
export function tokenResponse(generation: number, role: Role = 'STAFF'): TokenResponse {
  return {
    accessToken: `access-${generation}`,
    expiresIn: 900,
    refreshToken: `refresh-${generation}`,
    refreshExpiresIn: 604_800,
    user: testUser(role),
  };
}

/** Puts a session in localStorage, as a previous visit (or another tab) would have left it. */
export function storeSession(generation: number, role: Role = 'STAFF', refreshExpiresAt = Date.now() + 60_000): Session {
  const session: Session = {
    accessToken: `access-${generation}`,
    refreshToken: `refresh-${generation}`,
    refreshExpiresAt,
    user: testUser(role),
  };
  localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
  return session;
}
