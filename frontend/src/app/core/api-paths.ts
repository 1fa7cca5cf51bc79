/**
 * The REST routes the app calls, in one place (the server documents them at /api/docs). Only the
 * app's own origin: the auth interceptor sends the access token to paths under API_ROOT alone.
 */
export const API_ROOT = '/api/';

/** Sign-in and the session; a 401 from these means "wrong credentials" or "session over". */
export const AUTH_API = {
  login: '/api/auth/login',
  refresh: '/api/auth/refresh',
  logout: '/api/auth/logout',
  config: '/api/auth/config',
} as const;

/**
 * The signed-in user's own account. Not in AUTH_API: a 401 from these means an expired access
 * token, to be refreshed like any other (a wrong current password is a 403).
 */
export const ACCOUNT_API = {
  me: '/api/auth/me',
  changePassword: '/api/auth/change-password',
} as const;

export const NOTIFICATIONS_URL = '/api/notifications';
export const ORDERS_URL = '/api/orders';
export const USERS_URL = '/api/users';
export const TEAMS_URL = '/api/teams';
export const AUDIT_URL = '/api/audit';
/** Sends and their receipts: admins, and each send's sender and escalation recipients. */
export const SENDS_URL = '/api/sends';
/** Email and SMS deliveries of notifications, their outbox and failures (admins). */
export const DELIVERIES_URL = '/api/deliveries';
