import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { ApplicationConfig, inject, provideAppInitializer, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideRouter, TitleStrategy, withComponentInputBinding, withPreloading } from '@angular/router';

import { routes } from './app.routes';
import { authInterceptor } from './core/auth-interceptor';
import { AuthService } from './core/auth-service';
import { SignedInPreloading } from './core/signed-in-preloading';
import { ColorThemeService } from './core/color-theme';
import { UnreadTitleStrategy } from './notifications/before-sign-in';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding(), withPreloading(SignedInPreloading)),
    { provide: TitleStrategy, useExisting: UnreadTitleStrategy },
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    // Before the first navigation, so a reload keeps the user signed in instead of meeting the login page.
    provideAppInitializer(() => inject(AuthService).restore()),
    // The stored light or dark choice goes on <html> before the first render (no inline script).
    provideAppInitializer(() => inject(ColorThemeService).apply()),
  ],
};
