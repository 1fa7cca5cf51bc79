import type { Role } from '@clinic/contracts';

/**
 * Who is calling: the user, their role and teams as the database has them now (not as an old
 * token says), and the session their token belongs to.
 */
export interface AuthUser {
  id: string;
  role: Role;
  /** The ids of the user's teams: the team rooms of their sockets. */
  teamIds: string[];
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
