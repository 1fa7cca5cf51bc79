import type { Role } from '@clinic/contracts';

/** What an access token proves: who is calling, with which role, until when. */
export interface AuthUser {
  id: string;
  role: Role;
  /** Token expiry, seconds since the epoch. */
  exp: number;
}

/** Claims inside an access token. */
export interface AccessTokenClaims {
  sub: string;
  role: Role;
  iat?: number;
  exp?: number;
}
