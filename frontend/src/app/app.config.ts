import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { ApplicationConfig, inject, LOCALE_ID, provideAppInitializer, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideRouter, TitleStrategy, withComponentInputBinding, withPreloading } from '@angular/router';

import { routes } from './app.routes';
import { authInterceptor } from './core/auth-interceptor';
import { AuthService } from './core/auth-service';
import { SignedInPreloading } from './core/signed-in-preloading';
import { ColorThemeService } from './core/color-theme';
import { appLanguage } from './core/language';
import { OfflineSnapshot } from './core/offline-snapshot';
import { followUserLanguage } from './core/user-language';
import { UnreadTitleStrategy } from './notifications/before-sign-in';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    // Dates, numbers and plurals in the language main.ts loaded.
    { provide: LOCALE_ID, useFactory: appLanguage },
    provideRouter(routes, withComponentInputBinding(), withPreloading(SignedInPreloading)),
    { provide: TitleStrategy, useExisting: UnreadTitleStrategy },
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    // Started with the app, not awaited: the login page shows at once; signed-in pages' guards wait for it.
    provideAppInitializer(() => void inject(AuthService).restore()),
    // The service worker is started by the update prompt, once the browser is idle (app.ts, core/app-updates.ts).
    provideAppInitializer(followUserLanguage),
    // From the start, so that a session refused at start takes its kept inbox off this device.
    provideAppInitializer(() => void inject(OfflineSnapshot)),
    // The stored light or dark choice goes on <html> before the first render (no inline script).
    provideAppInitializer(() => inject(ColorThemeService).apply()),
  ],
};
