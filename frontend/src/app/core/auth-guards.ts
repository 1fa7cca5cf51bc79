import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';

import { AuthService } from './auth-service';

export const HOME_URL = '/notifications';

/** Lets signed-in users through; others go to sign in and come back here afterwards. */
export const authGuard: CanActivateFn = (_route, state) =>
  inject(AuthService).isAuthenticated() ||
  inject(Router).createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });

export const adminGuard: CanActivateFn = () =>
  inject(AuthService).isAdmin() || inject(Router).parseUrl(HOME_URL);

/** Keeps signed-in users off the sign-in page. */
export const guestGuard: CanActivateFn = () =>
  !inject(AuthService).isAuthenticated() || inject(Router).parseUrl(HOME_URL);
