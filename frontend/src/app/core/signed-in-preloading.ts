import { inject, Injectable, Injector } from '@angular/core';
import { toObservable } from '@angular/core/rxjs-interop';
import { PreloadingStrategy, Route } from '@angular/router';
import { filter, Observable, switchMap, take } from 'rxjs';

import { AuthService } from './auth-service';

/**
 * Loads the signed-in pages ahead of use only once someone has signed in: the login page then
 * downloads nothing but itself, and the inbox, orders and the rest open at once afterwards.
 */
@Injectable({ providedIn: 'root' })
export class SignedInPreloading implements PreloadingStrategy {
  private readonly signedIn$ = toObservable(inject(AuthService).isAuthenticated, { injector: inject(Injector) });

  preload(_route: Route, load: () => Observable<unknown>): Observable<unknown> {
    return this.signedIn$.pipe(filter(Boolean), take(1), switchMap(load));
  }
}
