import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ActivatedRouteSnapshot, CanActivateFn, provideRouter, Router, RouterStateSnapshot, UrlTree } from '@angular/router';

import { signIn, tokenResponse } from '../../testing/auth-fixtures';
import { AUTH_API } from './api-paths';
import { AuthService } from './auth-service';
import { adminGuard, authGuard, guestGuard } from './auth-guards';

describe('route guards', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
  });

  /** Runs the guard as the router would for a navigation to `url`; returns true or the redirect. */
  async function run(guard: CanActivateFn, url: string): Promise<true | string> {
    const state = { url } as RouterStateSnapshot;
    const result = await TestBed.runInInjectionContext(() => guard({} as ActivatedRouteSnapshot, state));
    if (result === true) {
      return true;
    }
    if (result instanceof UrlTree) {
      return TestBed.inject(Router).serializeUrl(result);
    }
    throw new Error(`Unexpected guard result: ${String(result)}`);
  }

  describe('authGuard', () => {
    it('sends signed-out users to sign in, remembering where they were going', async () => {
      expect(await run(authGuard, '/orders?status=PENDING')).toBe('/login?returnUrl=%2Forders%3Fstatus%3DPENDING');
    });

    it('lets signed-in users through', async () => {
      signIn(1, 'STAFF');
      expect(await run(authGuard, '/orders')).toBe(true);
    });

    it('waits for the session a reload restores, so the reload stays on its page', async () => {
      const restored = TestBed.inject(AuthService).restore();
      const decision = run(authGuard, '/orders');
      TestBed.inject(HttpTestingController).expectOne(AUTH_API.refresh).flush(tokenResponse(1, 'STAFF'));
      await restored;

      expect(await decision).toBe(true);
    });
  });

  describe('adminGuard', () => {
    it('lets admins through', async () => {
      signIn(1, 'ADMIN');
      expect(await run(adminGuard, '/admin')).toBe(true);
    });

    it('sends staff back to their notifications', async () => {
      signIn(1, 'STAFF');
      expect(await run(adminGuard, '/admin')).toBe('/notifications');
    });
  });

  describe('guestGuard', () => {
    it('shows the sign-in page to signed-out users', async () => {
      expect(await run(guestGuard, '/login')).toBe(true);
    });

    it('sends signed-in users to their notifications instead of the sign-in page', async () => {
      signIn(1, 'STAFF');
      expect(await run(guestGuard, '/login')).toBe('/notifications');
    });
  });
});
