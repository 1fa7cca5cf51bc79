import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { UserDto } from '@clinic/contracts';
import type { MockInstance } from 'vitest';

import { FakeLocks, signIn, tokenResponse } from '../../testing/auth-fixtures';
import { AUTH_API } from './api-paths';
import {
  AuthService,
  LEGACY_SESSION_KEY,
  PENDING_SIGN_OUT_KEY,
  SESSION_CHANNEL,
  SessionMessage,
  STARTED_REFRESH,
} from './auth-service';
import { OPEN_BROADCAST_CHANNEL, WEB_LOCKS } from './cross-tab';
import type { StartedRefresh } from './session-start';

const UNAUTHORIZED = { status: 401, statusText: 'Unauthorized' };

describe('AuthService', () => {
  let http: HttpTestingController;
  let navigateByUrl: MockInstance<Router['navigateByUrl']>;

  function setUp(...providers: Provider[]): void {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), ...providers],
    });
    http = TestBed.inject(HttpTestingController);
    navigateByUrl = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
  }

  beforeEach(() => {
    localStorage.clear();
    sessionStorage.clear();
  });

  afterEach(() => http.verify());

  /** Every key and value the page's scripts can read from web storage. */
  function webStorage(): string[] {
    return [localStorage, sessionStorage].flatMap((storage) =>
      Array.from({ length: storage.length }, (_, index) => storage.key(index)!).flatMap((key) => [key, storage.getItem(key)!]),
    );
  }

  describe('login', () => {
    beforeEach(() => setUp());

    it('posts the credentials and keeps the user and access token in memory only, never in web storage', () => {
      const auth = TestBed.inject(AuthService);
      let signedIn: UserDto | undefined;

      auth.login('nurse@clinic.test', 'Nurse123!').subscribe((user) => (signedIn = user));
      const request = http.expectOne(AUTH_API.login);
      expect(request.request.method).toBe('POST');
      expect(request.request.body).toEqual({ email: 'nurse@clinic.test', password: 'Nurse123!' });
      request.flush(tokenResponse(1));

      expect(signedIn?.email).toBe('nurse@clinic.test');
      expect(auth.isAuthenticated()).toBe(true);
      expect(auth.accessToken()).toBe('access-1');
      expect(webStorage().filter((entry) => entry.includes('access-1') || entry.toLowerCase().includes('token'))).toEqual([]);
    });

    it('keeps the user signed out when the server refuses the credentials', () => {
      const auth = TestBed.inject(AuthService);
      let failure: unknown;

      auth.login('nurse@clinic.test', 'wrong').subscribe({ error: (error: unknown) => (failure = error) });
      http.expectOne(AUTH_API.login).flush({ message: 'Invalid credentials' }, UNAUTHORIZED);

      expect(failure).toMatchObject({ status: 401 });
      expect(auth.isAuthenticated()).toBe(false);
    });
  });

  it('removes the session, refresh token included, that an earlier version left in localStorage', () => {
    localStorage.setItem(LEGACY_SESSION_KEY, JSON.stringify({ accessToken: 'old-access', refreshToken: 'old-refresh' }));
    setUp();

    const auth = TestBed.inject(AuthService);

    expect(localStorage.getItem(LEGACY_SESSION_KEY)).toBeNull();
    expect(auth.isAuthenticated()).toBe(false);
  });

  describe('restoring the session on start-up', () => {
    beforeEach(() => setUp());

    it('refreshes from the cookie once, so a reload stays signed in', async () => {
      const auth = TestBed.inject(AuthService);

      const restored = auth.restore();
      const request = http.expectOne(AUTH_API.refresh);
      expect(request.request.method).toBe('POST');
      expect(request.request.body).toBeNull();
      request.flush(tokenResponse(1, 'ADMIN'));
      await restored;

      expect(auth.user()?.email).toBe('admin@clinic.test');
      expect(auth.isAdmin()).toBe(true);
      expect(auth.accessToken()).toBe('access-1');
      expect(navigateByUrl).not.toHaveBeenCalled();
    });

    it('starts signed out, quietly, when the browser has no valid refresh cookie', async () => {
      const auth = TestBed.inject(AuthService);

      const restored = auth.restore();
      http.expectOne(AUTH_API.refresh).flush({ message: 'No session' }, UNAUTHORIZED);
      await restored;

      expect(auth.isAuthenticated()).toBe(false);
      expect(auth.sessionEndedByServer()).toBe(false);
      expect(navigateByUrl).not.toHaveBeenCalled();
    });

    it('starts signed out when the server cannot be reached', async () => {
      const auth = TestBed.inject(AuthService);

      const restored = auth.restore();
      http.expectOne(AUTH_API.refresh).error(new ProgressEvent('error'));
      await restored;

      expect(auth.isAuthenticated()).toBe(false);
    });

    it('repeats a sign-out the server never confirmed instead of resuming that session', async () => {
      localStorage.setItem(PENDING_SIGN_OUT_KEY, '1');
      const auth = TestBed.inject(AuthService);

      const restored = auth.restore();
      http.expectNone(AUTH_API.refresh);
      http.expectOne(AUTH_API.logout).flush(null, { status: 204, statusText: 'No Content' });
      await restored;

      expect(auth.isAuthenticated()).toBe(false);
      expect(localStorage.getItem(PENDING_SIGN_OUT_KEY)).toBeNull();
    });
  });

  describe('restoring from the refresh main.ts sent at start', () => {
    let answer: (refresh: StartedRefresh) => void;
    let taken: number;

    beforeEach(() => {
      taken = 0;
      const started = new Promise<StartedRefresh>((resolve) => (answer = resolve));
      // Given once, as session-start.ts does.
      setUp({ provide: STARTED_REFRESH, useValue: () => (taken++ === 0 ? started : null) });
    });

    it('takes its answer instead of sending another refresh, once', async () => {
      const auth = TestBed.inject(AuthService);

      const restored = auth.restore();
      http.expectNone(AUTH_API.refresh);
      answer({ status: 200, statusText: 'OK', body: tokenResponse(1, 'ADMIN') });
      await restored;

      expect(auth.user()?.email).toBe('admin@clinic.test');
      expect(auth.accessToken()).toBe('access-1');
      expect(auth.serverUnreachable()).toBe(false);
      // A later restore (the offline notice's retry) sends a refresh of its own.
      const again = auth.restore();
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2, 'ADMIN'));
      await again;
      expect(auth.accessToken()).toBe('access-2');
    });

    it('shares it with a refresh asked for while it is under way', async () => {
      const auth = TestBed.inject(AuthService);
      let token: string | undefined;

      const restored = auth.restore();
      auth.refresh().subscribe((fresh) => (token = fresh));
      answer({ status: 200, statusText: 'OK', body: tokenResponse(1) });
      await restored;

      http.expectNone(AUTH_API.refresh);
      expect(token).toBe('access-1');
    });

    it('starts signed out, quietly, when the server refused the cookie', async () => {
      const auth = TestBed.inject(AuthService);

      const restored = auth.restore();
      answer({ status: 401, statusText: 'Unauthorized', body: { message: 'No session' } });
      await restored;

      expect(auth.isAuthenticated()).toBe(false);
      expect(auth.sessionEndedByServer()).toBe(false);
      expect(auth.serverUnreachable()).toBe(false);
      expect(navigateByUrl).not.toHaveBeenCalled();
    });

    it('starts signed out, the server unreachable, on no answer, a 5xx or a body that is not JSON', async () => {
      for (const failed of [
        { status: 0, statusText: '', body: null },
        { status: 502, statusText: 'Bad Gateway', body: null },
        { status: 200, statusText: 'OK', body: null },
      ]) {
        TestBed.resetTestingModule();
        const started = Promise.resolve(failed);
        setUp({ provide: STARTED_REFRESH, useValue: () => started });
        const auth = TestBed.inject(AuthService);

        await auth.restore();

        expect(auth.isAuthenticated()).toBe(false);
        expect(auth.serverUnreachable()).toBe(true);
      }
    });

    it('repeats a sign-out another tab began meanwhile, and drops the token the refresh brought', async () => {
      const auth = TestBed.inject(AuthService);
      localStorage.setItem(PENDING_SIGN_OUT_KEY, '1');

      const restored = auth.restore();
      answer({ status: 200, statusText: 'OK', body: tokenResponse(1) });
      http.expectOne(AUTH_API.logout).flush(null, { status: 204, statusText: 'No Content' });
      await restored;

      expect(auth.isAuthenticated()).toBe(false);
      expect(localStorage.getItem(PENDING_SIGN_OUT_KEY)).toBeNull();
      http.expectNone(AUTH_API.refresh);
    });
  });

  describe('logout', () => {
    beforeEach(() => setUp());

    it('signs out here, goes to sign in, and ends the session on the server with the cookie and the access token', () => {
      const auth = signIn(1);

      auth.logout();

      expect(auth.isAuthenticated()).toBe(false);
      expect(auth.accessToken()).toBeNull();
      expect(auth.sessionEndedByServer()).toBe(false);
      expect(navigateByUrl).toHaveBeenCalledWith('/login');
      const request = http.expectOne(AUTH_API.logout);
      expect(request.request.method).toBe('POST');
      expect(request.request.body).toBeNull();
      expect(request.request.headers.get('Authorization')).toBe('Bearer access-1');
      expect(request.request.keepalive).toBe(true);
      request.flush(null, { status: 204, statusText: 'No Content' });
      expect(localStorage.getItem(PENDING_SIGN_OUT_KEY)).toBeNull();
    });

    it('remembers a sign-out the server could not be told of, so the next start repeats it', async () => {
      const auth = signIn(1);

      auth.logout();
      http.expectOne(AUTH_API.logout).error(new ProgressEvent('error'));
      expect(localStorage.getItem(PENDING_SIGN_OUT_KEY)).not.toBeNull();

      const restored = TestBed.runInInjectionContext(() => new AuthService()).restore();
      http.expectNone(AUTH_API.refresh);
      http.expectOne(AUTH_API.logout).flush(null, { status: 204, statusText: 'No Content' });
      await restored;
      expect(localStorage.getItem(PENDING_SIGN_OUT_KEY)).toBeNull();
    });

    it('forgets an unconfirmed sign-out once the user signs in again', () => {
      const auth = signIn(1);
      auth.logout();
      http.expectOne(AUTH_API.logout).error(new ProgressEvent('error'));

      auth.login('nurse@clinic.test', 'Nurse123!').subscribe();
      http.expectOne(AUTH_API.login).flush(tokenResponse(2));

      expect(localStorage.getItem(PENDING_SIGN_OUT_KEY)).toBeNull();
    });
  });

  it('on a session revoked by the server, signs out without asking the server again and says why', () => {
    setUp();
    const auth = signIn(1);

    auth.endRevokedSession();

    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.sessionEndedByServer()).toBe(true);
    expect(navigateByUrl).toHaveBeenCalledWith('/login');
    http.expectNone(AUTH_API.logout);
  });

  describe('refresh', () => {
    beforeEach(() => setUp());

    it('shares one request between concurrent callers and keeps the new access token', () => {
      const auth = signIn(1);
      const received: string[] = [];

      auth.refresh().subscribe((token) => received.push(token));
      auth.refresh().subscribe((token) => received.push(token));
      auth.refresh().subscribe((token) => received.push(token));
      const request = http.expectOne(AUTH_API.refresh);
      expect(request.request.body).toBeNull();
      request.flush(tokenResponse(2));

      expect(received).toEqual(['access-2', 'access-2', 'access-2']);
      expect(auth.accessToken()).toBe('access-2');
      expect(webStorage().filter((entry) => entry.includes('access-'))).toEqual([]);
    });

    it('ends the session, says why and goes to sign in when the server refuses the refresh cookie', () => {
      const auth = signIn(1);
      let failure: unknown;

      auth.refresh().subscribe({ error: (error: unknown) => (failure = error) });
      http.expectOne(AUTH_API.refresh).flush({ message: 'Session revoked' }, UNAUTHORIZED);

      expect(failure).toMatchObject({ status: 401 });
      expect(auth.isAuthenticated()).toBe(false);
      expect(auth.sessionEndedByServer()).toBe(true);
      expect(navigateByUrl).toHaveBeenCalledWith('/login');
    });

    it('keeps the session when the server cannot be reached, so a later attempt can succeed', () => {
      const auth = signIn(1);
      let failure: unknown;

      auth.refresh().subscribe({ error: (error: unknown) => (failure = error) });
      http.expectOne(AUTH_API.refresh).error(new ProgressEvent('error'));

      expect(failure).toMatchObject({ status: 0 });
      expect(auth.isAuthenticated()).toBe(true);
      expect(navigateByUrl).not.toHaveBeenCalled();
      auth.refresh().subscribe();
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));
      expect(auth.accessToken()).toBe('access-2');
    });

    it('does not bring back a session the user signed out of while its refresh was under way', () => {
      const auth = signIn(1);
      auth.refresh().subscribe({ error: () => undefined });
      const late = http.expectOne(AUTH_API.refresh);

      auth.logout();
      late.flush(tokenResponse(2));

      expect(auth.isAuthenticated()).toBe(false);
      http.expectOne(AUTH_API.logout).flush(null, { status: 204, statusText: 'No Content' });
    });
  });

  describe('with other tabs', () => {
    const settle = () => new Promise((resolve) => setTimeout(resolve));

    it('takes turns with the other tabs under a Web Lock, so each refresh carries the cookie the previous one set', async () => {
      setUp({ provide: WEB_LOCKS, useValue: new FakeLocks() });
      const tabA = TestBed.inject(AuthService);
      const tabB = TestBed.runInInjectionContext(() => new AuthService());
      const tokens: Record<string, string> = {};

      tabA.refresh().subscribe((token) => (tokens['A'] = token));
      tabB.refresh().subscribe((token) => (tokens['B'] = token));
      await settle();
      const first = http.match(AUTH_API.refresh);
      expect(first).toHaveLength(1);
      first[0].flush(tokenResponse(1));
      await settle();
      const second = http.match(AUTH_API.refresh);
      expect(second).toHaveLength(1);
      second[0].flush(tokenResponse(2));
      await settle();

      expect(tokens).toEqual({ A: 'access-1', B: 'access-2' });
      expect([tabA.accessToken(), tabB.accessToken()]).toEqual(['access-1', 'access-2']);
    });

    describe('over a BroadcastChannel', () => {
      let otherTab: BroadcastChannel;
      let heard: SessionMessage[];

      beforeEach(() => {
        setUp({ provide: OPEN_BROADCAST_CHANNEL, useValue: (name: string) => new BroadcastChannel(name) });
        heard = [];
        otherTab = new BroadcastChannel(SESSION_CHANNEL);
        otherTab.onmessage = (event: MessageEvent<SessionMessage>) => heard.push(event.data);
      });

      afterEach(() => otherTab.close());

      it('signs out here, and goes to sign in, when another tab signs out', async () => {
        const auth = signIn(1);

        otherTab.postMessage({ type: 'signed-out', byServer: false } satisfies SessionMessage);

        await vi.waitFor(() => expect(auth.isAuthenticated()).toBe(false));
        expect(navigateByUrl).toHaveBeenCalledWith('/login');
        http.expectNone(AUTH_API.logout);
      });

      it('joins the session another tab signed in to, with an access token of its own', async () => {
        const auth = TestBed.inject(AuthService);

        otherTab.postMessage({ type: 'signed-in' } satisfies SessionMessage);

        const refresh = await vi.waitFor(() => http.expectOne(AUTH_API.refresh));
        refresh.flush(tokenResponse(7));
        expect(auth.user()?.email).toBe('nurse@clinic.test');
        expect(auth.accessToken()).toBe('access-7');
      });

      it('tells the other tabs when it signs in, signs out, and when the server ended the session', async () => {
        const auth = TestBed.inject(AuthService);

        auth.login('nurse@clinic.test', 'Nurse123!').subscribe();
        http.expectOne(AUTH_API.login).flush(tokenResponse(1));
        auth.logout();
        http.expectOne(AUTH_API.logout).flush(null, { status: 204, statusText: 'No Content' });
        signIn(2);
        auth.endRevokedSession();

        await vi.waitFor(() => expect(heard).toHaveLength(3));
        expect(heard).toEqual([
          { type: 'signed-in' },
          { type: 'signed-out', byServer: false },
          { type: 'signed-out', byServer: true },
        ]);
      });
    });
  });
});
