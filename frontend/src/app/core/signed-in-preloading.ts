import { DOCUMENT } from '@angular/common';
import { inject, Injectable, Injector } from '@angular/core';
import { toObservable } from '@angular/core/rxjs-interop';
import { NavigationEnd, PreloadingStrategy, Route, Router } from '@angular/router';
import { filter, Observable, shareReplay, switchMap, take } from 'rxjs';

import { AuthService } from './auth-service';
import { whenIdle } from './when-idle';

/** The longest preloading waits for the browser to be idle after the first signed-in page. */
export const PRELOAD_IDLE_TIMEOUT_MS = 3_000;

/**
 * Loads the signed-in pages ahead of use only once someone has signed in, and only after the page
 * they landed on has rendered and the browser is idle: the login page then downloads nothing but
 * itself, the first page does not share the network with twenty others, and the inbox, orders
 * and the rest open at once afterwards.
 */
@Injectable({ providedIn: 'root' })
export class SignedInPreloading implements PreloadingStrategy {
  private readonly router = inject(Router);
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly ready$ = toObservable(inject(AuthService).isAuthenticated, { injector: inject(Injector) }).pipe(
    filter(Boolean),
    take(1),
    switchMap(() => this.landed()),
    switchMap(() => this.idle()),
    shareReplay(1),
  );

  preload(_route: Route, load: () => Observable<unknown>): Observable<unknown> {
    return this.ready$.pipe(switchMap(load));
  }

  /** The navigation under way (if any) has ended. */
  private landed(): Observable<unknown> {
    return new Observable<void>((subscriber) => {
      if (!this.router.currentNavigation()) {
        subscriber.next();
        subscriber.complete();
        return;
      }
      return this.router.events.pipe(filter((event) => event instanceof NavigationEnd), take(1)).subscribe(() => {
        subscriber.next();
        subscriber.complete();
      });
    });
  }

  private idle(): Observable<void> {
    return new Observable<void>((subscriber) =>
      whenIdle(
        this.window,
        () => {
          subscriber.next();
          subscriber.complete();
        },
        PRELOAD_IDLE_TIMEOUT_MS,
      ),
    );
  }
}
