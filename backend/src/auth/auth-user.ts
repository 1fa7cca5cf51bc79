import type { Role } from '@clinic/contracts';

/**
 * Who is calling: the user, their role as the database has it now (not as an old token says),
 * and the session their token belongs to.
 */
export interface AuthUser {
  id: string;
  role: Role;
  sessionId: string;
  /** Access token expiry, seconds since the epoch. */
  exp: number;
}

/** Claims inside an access token: the user and the session; the role is looked up, never trusted. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  iat?: number;
  exp?: number;
}

/** What a genuine, unexpired access token says, before its session is checked. */
export interface VerifiedToken {
  userId: string;
  sessionId: string;
  exp: number;
}
