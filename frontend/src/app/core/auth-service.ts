import { DOCUMENT } from '@angular/common';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import type { LoginRequest, RefreshRequest, TokenResponse, UserDto } from '@clinic/contracts';
import {
  catchError,
  defer,
  filter,
  finalize,
  firstValueFrom,
  fromEvent,
  map,
  Observable,
  of,
  shareReplay,
  tap,
  throwError,
} from 'rxjs';

export const AUTH_API = {
  login: '/api/auth/login',
  refresh: '/api/auth/refresh',
  logout: '/api/auth/logout',
} as const;

/** localStorage key of the signed-in session; shared by every tab of the app. */
export const SESSION_STORAGE_KEY = 'clinic.session';

const REFRESH_LOCK = 'clinic.session.refresh';

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds after which the refresh token is useless. */
  readonly refreshExpiresAt: number;
  readonly user: UserDto;
}

@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly storage = this.window?.localStorage ?? null;

  private readonly session = signal<Session | null>(this.readStoredSession());
  private refreshInFlight: Observable<string> | null = null;

  readonly user = computed(() => this.session()?.user ?? null);
  readonly accessToken = computed(() => this.session()?.accessToken ?? null);
  readonly isAuthenticated = computed(() => this.session() !== null);
  readonly isAdmin = computed(() => this.user()?.role === 'ADMIN');

  constructor() {
    if (this.window) {
      fromEvent<StorageEvent>(this.window, 'storage')
        .pipe(
          filter((event) => event.key === SESSION_STORAGE_KEY || event.key === null),
          takeUntilDestroyed(),
        )
        .subscribe(() => this.adoptSessionFromOtherTab());
    }
  }

  login(email: string, password: string): Observable<UserDto> {
    const body: LoginRequest = { email, password };
    return this.http.post<TokenResponse>(AUTH_API.login, body).pipe(
      tap((response) => this.storeSession(response)),
      map((response) => response.user),
    );
  }

  /** Ends the session here and revokes its refresh token on the server. */
  logout(): void {
    const refreshToken = this.session()?.refreshToken;
    this.endSession();
    if (refreshToken) {
      const body: RefreshRequest = { refreshToken };
      // Best effort: the local session is already gone, and an unrevoked token expires on its own.
      this.http.post<void>(AUTH_API.logout, body).subscribe({ error: () => undefined });
    }
  }

  /**
   * Exchanges the refresh token for a new pair and emits the new access token. Concurrent callers
   * share one exchange: refresh tokens are single use, and the server revokes every session of a
   * user when one is presented twice. If the server rejects the token the session is over and the
   * user is sent to sign in; a network or server failure keeps the session for a later attempt.
   */
  refresh(): Observable<string> {
    this.refreshInFlight ??= this.withCrossTabLock(() => this.exchangeRefreshToken()).pipe(
      finalize(() => (this.refreshInFlight = null)),
      // Kept alive even if every caller unsubscribes: dropping the response would lose the
      // rotated refresh token the server has already committed to.
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    return this.refreshInFlight;
  }

  private exchangeRefreshToken(): Observable<string> {
    const stored = this.readStoredSession();
    const current = this.session();
    if (stored && stored.refreshToken !== current?.refreshToken) {
      // Another tab rotated the tokens while this one waited for the lock.
      this.session.set(stored);
      return of(stored.accessToken);
    }
    if (!current) {
      return throwError(() => new Error('Not signed in'));
    }
    const body: RefreshRequest = { refreshToken: current.refreshToken };
    return this.http.post<TokenResponse>(AUTH_API.refresh, body).pipe(
      tap((response) => this.storeSession(response)),
      map((response) => response.accessToken),
      catchError((error: unknown) => {
        if (isRejection(error)) {
          this.endSession();
        }
        return throwError(() => error);
      }),
    );
  }

  /** Serialises refreshes across tabs where the Web Locks API exists; runs directly elsewhere. */
  private withCrossTabLock(work: () => Observable<string>): Observable<string> {
    const locks = this.window?.navigator.locks;
    return locks ? defer(async () => await locks.request(REFRESH_LOCK, () => firstValueFrom(work()))) : defer(work);
  }

  private storeSession(response: TokenResponse): void {
    const session: Session = {
      accessToken: response.accessToken,
      refreshToken: response.refreshToken,
      refreshExpiresAt: Date.now() + response.refreshExpiresIn * 1000,
      user: response.user,
    };
    this.storage?.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
    this.session.set(session);
  }

  private endSession(): void {
    this.storage?.removeItem(SESSION_STORAGE_KEY);
    this.session.set(null);
    void this.router.navigateByUrl('/login');
  }

  private adoptSessionFromOtherTab(): void {
    const wasSignedIn = this.session() !== null;
    const stored = this.readStoredSession();
    this.session.set(stored);
    if (wasSignedIn && !stored) {
      void this.router.navigateByUrl('/login');
    }
  }

  private readStoredSession(): Session | null {
    const raw = this.storage?.getItem(SESSION_STORAGE_KEY);
    if (!raw) {
      return null;
    }
    try {
      const session = JSON.parse(raw) as Partial<Session>;
      const usable =
        typeof session.accessToken === 'string' &&
        typeof session.refreshToken === 'string' &&
        typeof session.refreshExpiresAt === 'number' &&
        session.refreshExpiresAt > Date.now() &&
        typeof session.user?.id === 'string';
      return usable ? (session as Session) : null;
    } catch {
      return null;
    }
  }
}

function isRejection(error: unknown): boolean {
  return error instanceof HttpErrorResponse && error.status >= 400 && error.status < 500 && error.status !== 429;
}
