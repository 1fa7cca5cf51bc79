import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { MockInstance } from 'vitest';

import { signIn, tokenResponse } from '../../testing/auth-fixtures';
import { authInterceptor } from './auth-interceptor';
import { AUTH_API } from './api-paths';
import { AuthService } from './auth-service';

const UNAUTHORIZED = { status: 401, statusText: 'Unauthorized' };

describe('authInterceptor', () => {
  let client: HttpClient;
  let http: HttpTestingController;
  let navigateByUrl: MockInstance<Router['navigateByUrl']>;

  function setUp(): void {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting(), provideRouter([])],
    });
    client = TestBed.inject(HttpClient);
    http = TestBed.inject(HttpTestingController);
    navigateByUrl = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
  }

  afterEach(() => http.verify());

  describe('when signed in', () => {
    beforeEach(() => {
      setUp();
      signIn(1);
    });

    it('sends the access token with calls to the API', () => {
      client.get('/api/notifications').subscribe();

      const request = http.expectOne('/api/notifications');
      expect(request.request.headers.get('Authorization')).toBe('Bearer access-1');
      request.flush({ items: [], nextCursor: null });
    });

    it('never sends the access token anywhere but the API', () => {
      client.get('https://example.org/api/notifications').subscribe();
      client.get('/assets/logo.svg').subscribe();

      for (const url of ['https://example.org/api/notifications', '/assets/logo.svg']) {
        const request = http.expectOne(url);
        expect(request.request.headers.has('Authorization')).toBe(false);
        request.flush({});
      }
    });

    it('refreshes once after a 401 and retries the call with the new token', () => {
      let body: unknown;
      client.get('/api/auth/me').subscribe((response) => (body = response));

      http.expectOne('/api/auth/me').flush({ message: 'Token expired' }, UNAUTHORIZED);
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));
      const retry = http.expectOne('/api/auth/me');
      expect(retry.request.headers.get('Authorization')).toBe('Bearer access-2');
      retry.flush({ id: 'u-nurse' });

      expect(body).toEqual({ id: 'u-nurse' });
    });

    it('refreshes once for several calls that fail together, then retries each of them', () => {
      const bodies: unknown[] = [];
      client.get('/api/notifications').subscribe((response) => bodies.push(response));
      client.get('/api/notifications/unread-count').subscribe((response) => bodies.push(response));

      http.expectOne('/api/notifications').flush({}, UNAUTHORIZED);
      http.expectOne('/api/notifications/unread-count').flush({}, UNAUTHORIZED);
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));
      const retries = http.match((request) => request.url.startsWith('/api/notifications'));
      expect(retries.map((request) => request.request.headers.get('Authorization'))).toEqual([
        'Bearer access-2',
        'Bearer access-2',
      ]);
      retries[0].flush({ items: [] });
      retries[1].flush({ count: 3 });

      expect(bodies).toEqual([{ items: [] }, { count: 3 }]);
    });

    it('retries with the current token, without refreshing again, when another call already refreshed', () => {
      client.get('/api/orders').subscribe();
      client.get('/api/notifications').subscribe();

      http.expectOne('/api/orders').flush({}, UNAUTHORIZED);
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));
      http.expectOne('/api/orders').flush([]);
      http.expectOne('/api/notifications').flush({}, UNAUTHORIZED);

      http.expectNone(AUTH_API.refresh);
      const retry = http.expectOne('/api/notifications');
      expect(retry.request.headers.get('Authorization')).toBe('Bearer access-2');
      retry.flush({ items: [] });
    });

    it('gives up after one retry: a second 401 reaches the caller', () => {
      let failure: unknown;
      client.get('/api/users').subscribe({ error: (error: unknown) => (failure = error) });

      http.expectOne('/api/users').flush({}, UNAUTHORIZED);
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));
      http.expectOne('/api/users').flush({ message: 'Still unauthorized' }, UNAUTHORIZED);

      http.expectNone(AUTH_API.refresh);
      expect(failure).toMatchObject({ status: 401 });
    });

    it('signs out and goes to sign in when the session cannot be refreshed', () => {
      let failure: unknown;
      client.get('/api/orders').subscribe({ error: (error: unknown) => (failure = error) });

      http.expectOne('/api/orders').flush({}, UNAUTHORIZED);
      http.expectOne(AUTH_API.refresh).flush({ message: 'Refresh token is invalid or expired' }, UNAUTHORIZED);

      expect(failure).toMatchObject({ status: 401 });
      expect(TestBed.inject(AuthService).isAuthenticated()).toBe(false);
      expect(navigateByUrl).toHaveBeenCalledWith('/login');
      http.expectNone('/api/orders');
    });

    it('passes other errors through untouched', () => {
      let failure: unknown;
      client.get('/api/orders').subscribe({ error: (error: unknown) => (failure = error) });

      http.expectOne('/api/orders').flush({ message: 'Too many requests' }, { status: 429, statusText: 'Too Many Requests' });

      http.expectNone(AUTH_API.refresh);
      expect(failure).toMatchObject({ status: 429 });
    });
  });

  describe('when signed out', () => {
    beforeEach(() => setUp());

    it('sends no Authorization header', () => {
      client.get('/api/health').subscribe();

      const request = http.expectOne('/api/health');
      expect(request.request.headers.has('Authorization')).toBe(false);
      request.flush({ status: 'ok' });
    });

    it('lets a failed sign-in reach the login page instead of trying to refresh', () => {
      let failure: unknown;
      client
        .post(AUTH_API.login, { email: 'nurse@clinic.test', password: 'wrong' })
        .subscribe({ error: (error: unknown) => (failure = error) });

      http.expectOne(AUTH_API.login).flush({ message: 'Invalid credentials' }, UNAUTHORIZED);

      http.expectNone(AUTH_API.refresh);
      expect(failure).toMatchObject({ status: 401 });
      expect(navigateByUrl).not.toHaveBeenCalled();
    });
  });
});
