import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ActivatedRouteSnapshot, CanActivateFn, provideRouter, Router, RouterStateSnapshot, UrlTree } from '@angular/router';

import { signIn } from '../../testing/auth-fixtures';
import { adminGuard, authGuard, guestGuard } from './auth-guards';

describe('route guards', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
  });

  /** Runs the guard as the router would for a navigation to `url`; returns true or the redirect. */
  function run(guard: CanActivateFn, url: string): true | string {
    const state = { url } as RouterStateSnapshot;
    const result = TestBed.runInInjectionContext(() => guard({} as ActivatedRouteSnapshot, state));
    if (result === true) {
      return true;
    }
    if (result instanceof UrlTree) {
      return TestBed.inject(Router).serializeUrl(result);
    }
    throw new Error(`Unexpected guard result: ${String(result)}`);
  }

  describe('authGuard', () => {
    it('sends signed-out users to sign in, remembering where they were going', () => {
      expect(run(authGuard, '/orders?status=PENDING')).toBe('/login?returnUrl=%2Forders%3Fstatus%3DPENDING');
    });

    it('lets signed-in users through', () => {
      signIn(1, 'STAFF');
      expect(run(authGuard, '/orders')).toBe(true);
    });
  });

  describe('adminGuard', () => {
    it('lets admins through', () => {
      signIn(1, 'ADMIN');
      expect(run(adminGuard, '/admin')).toBe(true);
    });

    it('sends staff back to their notifications', () => {
      signIn(1, 'STAFF');
      expect(run(adminGuard, '/admin')).toBe('/notifications');
    });
  });

  describe('guestGuard', () => {
    it('shows the sign-in page to signed-out users', () => {
      expect(run(guestGuard, '/login')).toBe(true);
    });

    it('sends signed-in users to their notifications instead of the sign-in page', () => {
      signIn(1, 'STAFF');
      expect(run(guestGuard, '/login')).toBe('/notifications');
    });
  });
});
