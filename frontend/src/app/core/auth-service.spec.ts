import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { UserDto } from '@clinic/contracts';
import type { MockInstance } from 'vitest';

import { storeSession, tokenResponse } from '../../testing/auth-fixtures';
import { AUTH_API, AuthService, SESSION_STORAGE_KEY } from './auth-service';

describe('AuthService', () => {
  let http: HttpTestingController;
  let navigateByUrl: MockInstance<Router['navigateByUrl']>;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
    navigateByUrl = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
  });

  afterEach(() => http.verify());

  const storedSession = () => JSON.parse(localStorage.getItem(SESSION_STORAGE_KEY) ?? 'null');

  describe('login', () => {
    it('posts the credentials and keeps the session, so a reload stays signed in', () => {
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
      expect(storedSession()).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });

      const afterReload = TestBed.runInInjectionContext(() => new AuthService());
      expect(afterReload.user()?.email).toBe('nurse@clinic.test');
      expect(afterReload.accessToken()).toBe('access-1');
    });

    it('keeps the user signed out when the server refuses the credentials', () => {
      const auth = TestBed.inject(AuthService);
      let failure: unknown;

      auth.login('nurse@clinic.test', 'wrong').subscribe({ error: (error: unknown) => (failure = error) });
      http.expectOne(AUTH_API.login).flush({ message: 'Invalid credentials' }, { status: 401, statusText: 'Unauthorized' });

      expect(failure).toMatchObject({ status: 401 });
      expect(auth.isAuthenticated()).toBe(false);
      expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    });
  });

  it('does not restore a stored session whose refresh token has expired', () => {
    storeSession(1, 'STAFF', Date.now() - 1);

    expect(TestBed.inject(AuthService).isAuthenticated()).toBe(false);
  });

  it('reports admins as admins and staff as not', () => {
    storeSession(1, 'ADMIN');
    expect(TestBed.inject(AuthService).isAdmin()).toBe(true);

    storeSession(2, 'STAFF');
    expect(TestBed.runInInjectionContext(() => new AuthService()).isAdmin()).toBe(false);
  });

  it('logout clears the session, revokes the refresh token and goes to sign in', () => {
    storeSession(1);
    const auth = TestBed.inject(AuthService);

    auth.logout();

    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.accessToken()).toBeNull();
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(navigateByUrl).toHaveBeenCalledWith('/login');
    const revoke = http.expectOne(AUTH_API.logout);
    expect(revoke.request.body).toEqual({ refreshToken: 'refresh-1' });
    revoke.flush(null, { status: 204, statusText: 'No Content' });
  });

  describe('refresh', () => {
    it('shares one request between concurrent callers and stores the rotated tokens', () => {
      storeSession(1);
      const auth = TestBed.inject(AuthService);
      const received: string[] = [];

      auth.refresh().subscribe((token) => received.push(token));
      auth.refresh().subscribe((token) => received.push(token));
      auth.refresh().subscribe((token) => received.push(token));
      const request = http.expectOne(AUTH_API.refresh);
      expect(request.request.body).toEqual({ refreshToken: 'refresh-1' });
      request.flush(tokenResponse(2));

      expect(received).toEqual(['access-2', 'access-2', 'access-2']);
      expect(auth.accessToken()).toBe('access-2');
      expect(storedSession()).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    });

    it('spends the newest refresh token on the next refresh', () => {
      storeSession(1);
      const auth = TestBed.inject(AuthService);

      auth.refresh().subscribe();
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));
      auth.refresh().subscribe();
      const second = http.expectOne(AUTH_API.refresh);

      expect(second.request.body).toEqual({ refreshToken: 'refresh-2' });
      second.flush(tokenResponse(3));
      expect(auth.accessToken()).toBe('access-3');
    });

    it('ends the session and goes to sign in when the server rejects the refresh token', () => {
      storeSession(1);
      const auth = TestBed.inject(AuthService);
      let failure: unknown;

      auth.refresh().subscribe({ error: (error: unknown) => (failure = error) });
      http.expectOne(AUTH_API.refresh).flush({ message: 'Refresh token was already used' }, { status: 401, statusText: 'Unauthorized' });

      expect(failure).toMatchObject({ status: 401 });
      expect(auth.isAuthenticated()).toBe(false);
      expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
      expect(navigateByUrl).toHaveBeenCalledWith('/login');
    });

    it('keeps the session when the server cannot be reached, so a later attempt can succeed', () => {
      storeSession(1);
      const auth = TestBed.inject(AuthService);
      let failure: unknown;

      auth.refresh().subscribe({ error: (error: unknown) => (failure = error) });
      http.expectOne(AUTH_API.refresh).error(new ProgressEvent('error'));

      expect(failure).toMatchObject({ status: 0 });
      expect(auth.isAuthenticated()).toBe(true);
      expect(navigateByUrl).not.toHaveBeenCalled();
      auth.refresh().subscribe();
      expect(http.expectOne(AUTH_API.refresh).request.body).toEqual({ refreshToken: 'refresh-1' });
    });

    it('adopts tokens another tab already rotated instead of spending the used refresh token', () => {
      storeSession(1);
      const auth = TestBed.inject(AuthService);
      storeSession(2);
      let token: string | undefined;

      auth.refresh().subscribe((fresh) => (token = fresh));

      http.expectNone(AUTH_API.refresh);
      expect(token).toBe('access-2');
      expect(auth.accessToken()).toBe('access-2');
    });
  });

  describe('with other tabs', () => {
    it('signs out here, and goes to sign in, when another tab signs out', () => {
      storeSession(1);
      const auth = TestBed.inject(AuthService);

      localStorage.removeItem(SESSION_STORAGE_KEY);
      window.dispatchEvent(new StorageEvent('storage', { key: SESSION_STORAGE_KEY }));

      expect(auth.isAuthenticated()).toBe(false);
      expect(navigateByUrl).toHaveBeenCalledWith('/login');
    });

    it('picks up tokens another tab refreshed', () => {
      storeSession(1);
      const auth = TestBed.inject(AuthService);

      storeSession(2);
      window.dispatchEvent(new StorageEvent('storage', { key: SESSION_STORAGE_KEY }));

      expect(auth.accessToken()).toBe('access-2');
      expect(navigateByUrl).not.toHaveBeenCalled();
    });
  });
});
