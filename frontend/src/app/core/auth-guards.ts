import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';

import { AuthService } from './auth-service';
import { OfflineSnapshot } from './offline-snapshot';

export const HOME_URL = '/notifications';

/**
 * Lets signed-in users through; others go to sign in and come back here afterwards. Waits for the
 * session a reload restores, so a reload stays on its page; lets the app show its kept inbox when
 * the server cannot be reached.
 */
export const authGuard: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const offline = inject(OfflineSnapshot);
  await auth.whenRestored();
  // The server unreachable at start: the inbox this device kept, until the session can be restored.
  return auth.isAuthenticated() || (await offline.showIfUnreachable()) || router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
};

export const adminGuard: CanActivateFn = async () => {
  const auth = inject(AuthService);
  const router = inject(Router);
  await auth.whenRestored();
  return auth.isAdmin() || router.parseUrl(HOME_URL);
};

/**
 * Keeps signed-in users off the sign-in page. It does not wait for the session a reload restores:
 * the form shows at once, and the page moves on if the session comes back.
 */
export const guestGuard: CanActivateFn = () =>
  !inject(AuthService).isAuthenticated() || inject(Router).parseUrl(HOME_URL);
