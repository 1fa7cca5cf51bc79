import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { ApplicationConfig, inject, provideAppInitializer, provideBrowserGlobalErrorListeners } from '@angular/core';
import { PreloadAllModules, provideRouter, TitleStrategy, withComponentInputBinding, withPreloading } from '@angular/router';

import { routes } from './app.routes';
import { authInterceptor } from './core/auth-interceptor';
import { AuthService } from './core/auth-service';
import { UnreadTitleStrategy } from './notifications';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding(), withPreloading(PreloadAllModules)),
    { provide: TitleStrategy, useExisting: UnreadTitleStrategy },
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    // Before the first navigation, so a reload keeps the user signed in instead of meeting the login page.
    provideAppInitializer(() => inject(AuthService).restore()),
  ],
};
