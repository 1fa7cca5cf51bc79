import { DOCUMENT } from '@angular/common';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { computed, DestroyRef, inject, Injectable, InjectionToken, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { AuthConfigDto, LoginRequest, TokenResponse, UserDto } from '@clinic/contracts';
import { catchError, defer, finalize, firstValueFrom, from, map, Observable, of, shareReplay, tap, throwError, timeout } from 'rxjs';

import { AUTH_API } from './api-paths';
import { OPEN_BROADCAST_CHANNEL, WEB_LOCKS } from './cross-tab';
import { PENDING_SIGN_OUT_KEY, SESSION_LOCK, type StartedRefresh, takeStartedRefresh } from './session-start';

/**
 * Where versions before the refresh cookie kept the whole session, refresh token included, for any
 * script of the page to read. Removed on start.
 */
export const LEGACY_SESSION_KEY = 'clinic.session';

export { PENDING_SIGN_OUT_KEY, SESSION_LOCK } from './session-start';

/**
 * The refresh main.ts sent as the page started (session-start.ts), taken by the first `restore`:
 * a function that gives it once, then null. Tests replace it.
 */
export const STARTED_REFRESH = new InjectionToken<() => Promise<StartedRefresh> | null>('STARTED_REFRESH', {
  providedIn: 'root',
  factory: () => takeStartedRefresh,
});

/** The BroadcastChannel on which tabs tell each other that they signed in or out. */
export const SESSION_CHANNEL = 'clinic.session';

/** How long start-up waits for the session to be restored before showing the app signed out. */
const RESTORE_TIMEOUT_MS = 10_000;

interface Session {
  readonly accessToken: string;
  readonly user: UserDto;
}

/** What a tab tells the others. Each tab keeps its own access token; the refresh cookie is shared. */
export type SessionMessage = { readonly type: 'signed-in' } | { readonly type: 'signed-out'; readonly byServer: boolean };

/** A refresh answered after this tab signed in or out: it belongs to a session that is over. */
class SessionChanged extends Error {}

/**
 * The signed-in user and their access token, in this tab's memory only. The refresh token is an
 * httpOnly cookie that no script can read; the browser sends it to /api/auth by itself. So a
 * reload restores the session by refreshing once, each tab holds its own access token, and
 * BroadcastChannel messages keep the tabs signed in or out together.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly storage = inject(DOCUMENT).defaultView?.localStorage ?? null;
  private readonly locks = inject(WEB_LOCKS);
  private readonly channel = inject(OPEN_BROADCAST_CHANNEL)?.(SESSION_CHANNEL) ?? null;
  private readonly takeStartedRefresh = inject(STARTED_REFRESH);

  private readonly session = signal<Session | null>(null);
  private readonly endedByServer = signal(false);
  /** Null until the first `restore` is answered. */
  private readonly unreachable = signal<boolean | null>(null);
  /**
   * Bumped whenever this tab signs in or out: a refresh that started before must not bring back
   * the session that ended, nor end the one that began.
   */
  private generation = 0;
  private refreshInFlight: Observable<string> | null = null;
  private restoring: Promise<void> = Promise.resolve();
  private readonly signOutHooks = new Set<() => void>();

  readonly user = computed(() => this.session()?.user ?? null);
  readonly accessToken = computed(() => this.session()?.accessToken ?? null);
  readonly isAuthenticated = computed(() => this.session() !== null);
  readonly isAdmin = computed(() => this.user()?.role === 'ADMIN');
  /** The last session ended without the user signing out: the server revoked it or refused to refresh it. */
  readonly sessionEndedByServer = this.endedByServer.asReadonly();
  /**
   * The last `restore` could not reach the server (no network, the server down, a proxy's 502–504,
   * no answer in time): the session may well still be valid, so the app can show what it kept offline.
   */
  readonly serverUnreachable = this.unreachable.asReadonly();

  constructor() {
    this.storage?.removeItem(LEGACY_SESSION_KEY);
    const channel = this.channel;
    if (channel) {
      channel.onmessage = (event: MessageEvent<SessionMessage>) => this.otherTabSaid(event.data);
      inject(DestroyRef).onDestroy(() => channel.close());
    }
  }

  /**
   * Resumes the browser's session from the refresh cookie; started once, with the app. The login
   * page does not wait for it (it moves on when the session comes back); the guards of the
   * signed-in pages do (`whenRestored`). Without a usable cookie the app starts signed out. The first
   * one takes the answer to the refresh main.ts already sent, if it did.
   */
  restore(): Promise<void> {
    const started = this.takeStartedRefresh();
    // A sign-out another tab began after main.ts sent its refresh (its message came before this tab
    // listened): that refresh's token is dropped, and the sign-out, queued behind it under the
    // session lock, ends the session its rotated cookie belongs to.
    const resume$: Observable<unknown> = this.storage?.getItem(PENDING_SIGN_OUT_KEY)
      ? this.endOnServer(null)
      : started
        ? this.resumeStarted(started)
        : this.refresh();
    this.restoring = firstValueFrom(
      resume$.pipe(
        timeout(RESTORE_TIMEOUT_MS),
        map(() => this.unreachable.set(false)),
        catchError((error: unknown) => of(this.unreachable.set(!isRejection(error)))),
      ),
    );
    return this.restoring;
  }

  /** Settles once the start-up `restore` is done (at once if none ran): the guards of signed-in pages wait for it. */
  whenRestored(): Promise<void> {
    return this.restoring;
  }

  /** What the login page may offer before anyone signs in (demo accounts, in demo mode only). */
  config(): Observable<AuthConfigDto> {
    return this.http.get<AuthConfigDto>(AUTH_API.config);
  }

  login(email: string, password: string): Observable<UserDto> {
    const body: LoginRequest = { email, password };
    return this.withSessionLock(() => this.http.post<TokenResponse>(AUTH_API.login, body)).pipe(
      tap((response) => {
        this.markSignOutPending(false);
        this.begin(response);
        this.tell({ type: 'signed-in' });
      }),
      map((response) => response.user),
    );
  }

  /**
   * Runs `hook` when the user signs out in this tab, just before the session ends, while its token
   * still works: what waits to be sent (a delete in its undo window) goes then. Returns the way
   * to stop.
   */
  beforeSignOut(hook: () => void): () => void {
    this.signOutHooks.add(hook);
    return () => this.signOutHooks.delete(hook);
  }

  /** Signs out here and in the other tabs, and ends the session on the server. */
  logout(): void {
    for (const hook of this.signOutHooks) hook();
    const token = this.accessToken();
    this.end(false);
    this.tell({ type: 'signed-out', byServer: false });
    this.endOnServer(token).subscribe();
  }

  /**
   * The server has ended this session (its socket said `session-revoked`): signs out here and in
   * the other tabs without asking the server again, and the login page says why.
   */
  endRevokedSession(): void {
    if (!this.session()) return;
    this.end(true);
    this.tell({ type: 'signed-out', byServer: true });
  }

  /**
   * Exchanges the refresh cookie for a new access token (and a rotated cookie). The cookie is
   * single use and the server revokes the session when one is presented twice, so concurrent
   * callers in this tab share one exchange and tabs take turns under a Web Lock: each request
   * then carries the cookie the previous one set. If the server refuses, the session is over and
   * the user is sent to sign in; a network or server failure keeps the session for a later attempt.
   */
  refresh(): Observable<string> {
    if (this.refreshInFlight) return this.refreshInFlight;
    const generation = this.generation;
    return this.share(
      this.withSessionLock(() => this.exchangeRefreshCookie(generation, this.http.post<TokenResponse>(AUTH_API.refresh, null))),
    );
  }

  /** `refresh`, for the exchange main.ts sent before the app started (under the session lock already). */
  private resumeStarted(started: Promise<StartedRefresh>): Observable<string> {
    return this.share(this.exchangeRefreshCookie(this.generation, from(started).pipe(map(tokenResponseOf))));
  }

  /** Makes `exchange$` the refresh that concurrent callers in this tab share until it is answered. */
  private share(exchange$: Observable<string>): Observable<string> {
    const inFlight: Observable<string> = exchange$.pipe(
      finalize(() => {
        if (this.refreshInFlight === inFlight) this.refreshInFlight = null;
      }),
      // Kept alive even if every caller unsubscribes: the server has already rotated the cookie,
      // and the access token it answers with is the one that goes with it.
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    this.refreshInFlight = inFlight;
    return inFlight;
  }

  private exchangeRefreshCookie(generation: number, answer$: Observable<TokenResponse>): Observable<string> {
    if (generation !== this.generation) return throwError(() => new SessionChanged());
    return answer$.pipe(
      map((response) => {
        if (generation !== this.generation) throw new SessionChanged();
        this.endedByServer.set(false);
        this.session.set({ accessToken: response.accessToken, user: response.user });
        return response.accessToken;
      }),
      catchError((error: unknown) => {
        if (generation === this.generation && this.session() && isRejection(error)) {
          this.end(true);
          this.tell({ type: 'signed-out', byServer: true });
        }
        return throwError(() => error);
      }),
    );
  }

  /**
   * Ends the session the refresh cookie belongs to, and the server clears the cookie. Until it
   * confirms, a marker makes a reload repeat this instead of resuming the session; `keepalive`
   * lets the request finish even if the tab is closed right after signing out.
   */
  private endOnServer(accessToken: string | null): Observable<void> {
    this.markSignOutPending(true);
    const headers = accessToken ? { Authorization: `Bearer ${accessToken}` } : undefined;
    return this.withSessionLock(() => this.http.post<void>(AUTH_API.logout, null, { headers, keepalive: true })).pipe(
      map(() => this.markSignOutPending(false)),
      // A refusal means the server has no session for the cookie: nothing is left to end.
      catchError((error: unknown) => of(isRejection(error) ? this.markSignOutPending(false) : undefined)),
    );
  }

  private begin(response: TokenResponse): void {
    this.generation++;
    this.refreshInFlight = null;
    this.endedByServer.set(false);
    this.session.set({ accessToken: response.accessToken, user: response.user });
  }

  private end(byServer: boolean): void {
    this.generation++;
    this.refreshInFlight = null;
    this.endedByServer.set(byServer);
    this.session.set(null);
    void this.router.navigateByUrl('/login');
  }

  private otherTabSaid(message: SessionMessage): void {
    if (message.type === 'signed-out') {
      if (this.session()) this.end(message.byServer);
    } else if (!this.session()) {
      // The new session's cookie is the browser's, so this tab joins it with a token of its own.
      this.refresh().subscribe({ error: () => undefined });
    }
  }

  private tell(message: SessionMessage): void {
    this.channel?.postMessage(message);
  }

  /** Serialises work across tabs where the Web Locks API exists; runs it directly elsewhere. */
  private withSessionLock<T>(work: () => Observable<T>): Observable<T> {
    const locks = this.locks;
    return locks ? defer(async () => await locks.request(SESSION_LOCK, () => firstValueFrom(work()))) : defer(work);
  }

  private markSignOutPending(pending: boolean): void {
    try {
      if (pending) {
        this.storage?.setItem(PENDING_SIGN_OUT_KEY, '1');
      } else {
        this.storage?.removeItem(PENDING_SIGN_OUT_KEY);
      }
    } catch {
      // Storage blocked or full: the sign-out still goes to the server, only a reload cannot repeat it.
    }
  }
}

/** The started refresh's answer as HttpClient would have given it: the token, or an HttpErrorResponse. */
function tokenResponseOf({ status, statusText, body }: StartedRefresh): TokenResponse {
  if (status >= 200 && status < 300 && body !== null) return body as TokenResponse;
  throw new HttpErrorResponse({ status, statusText, url: AUTH_API.refresh, error: body });
}

function isRejection(error: unknown): boolean {
  return error instanceof HttpErrorResponse && error.status >= 400 && error.status < 500 && error.status !== 429;
}
