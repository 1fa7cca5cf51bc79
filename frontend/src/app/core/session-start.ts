// Runs from main.ts, before the app's code has arrived: no Angular here, so that main.js stays small.
import { AUTH_API } from './api-paths';

/** Held by the tab whose request presents or replaces the refresh cookie, which all tabs share. */
export const SESSION_LOCK = 'clinic.session.cookie';

/**
 * Set while the server has not yet confirmed a sign-out (it holds no token): a tab started meanwhile
 * repeats the sign-out instead of resuming the session from the refresh cookie.
 */
export const PENDING_SIGN_OUT_KEY = 'clinic.sign-out-pending';

/** The server's answer to the refresh sent at start: status 0 if it could not be reached, body null if not JSON. */
export interface StartedRefresh {
  readonly status: number;
  readonly statusText: string;
  readonly body: unknown;
}

const UNREACHABLE: StartedRefresh = { status: 0, statusText: '', body: null };

let started: Promise<StartedRefresh> | null = null;

/**
 * Sends the start-up refresh (the refresh cookie for an access token) as the page starts, beside the
 * download of the app and its language rather than after them: a signed-in page's first content
 * waits for it. AuthService's `restore` takes the answer; the request is the one it would send, under
 * the same Web Lock. Not while a sign-out awaits the server's confirmation (`restore` repeats it).
 */
export function startSessionRefresh(): void {
  if (started || signOutPending()) return;
  started = exchangeUnderLock().catch(() => UNREACHABLE);
}

/** The refresh `startSessionRefresh` sent, once: null afterwards, and if none was sent. */
export function takeStartedRefresh(): Promise<StartedRefresh> | null {
  const refresh = started;
  started = null;
  return refresh;
}

async function exchangeUnderLock(): Promise<StartedRefresh> {
  const exchange = async () => read(await fetch(AUTH_API.refresh, { method: 'POST', headers: { Accept: 'application/json' } }));
  const locks = navigator.locks as LockManager | undefined;
  return locks ? await locks.request(SESSION_LOCK, exchange) : exchange();
}

async function read(response: Response): Promise<StartedRefresh> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): AuthService treats an unreadable success as a failure, as HttpClient would.
  }
  return { status: response.status, statusText: response.statusText, body };
}

function signOutPending(): boolean {
  try {
    return Boolean(localStorage.getItem(PENDING_SIGN_OUT_KEY));
  } catch {
    // Storage blocked: left to AuthService's `restore`, which sends its own refresh if it can.
    return true;
  }
}
