import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { Language } from '@clinic/contracts';

import { tokenResponse } from '../../testing/auth-fixtures';
import { AUTH_API } from './api-paths';
import { AuthService } from './auth-service';
import { appLanguage } from './language';
import { PageReload } from './page-reload';
import { followUserLanguage } from './user-language';

describe('followUserLanguage', () => {
  let reload: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    localStorage.clear();
    reload = vi.fn();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: PageReload, useValue: { reload } }],
    });
    TestBed.runInInjectionContext(followUserLanguage);
  });

  afterEach(() => localStorage.clear());

  function signInAs(language: Language): void {
    TestBed.inject(AuthService).refresh().subscribe();
    const response = tokenResponse(1);
    TestBed.inject(HttpTestingController).expectOne(AUTH_API.refresh).flush({ ...response, user: { ...response.user, language } });
    TestBed.tick();
  }

  it('reloads the page in the language of a user who signs in with another one, remembered for the next load', () => {
    expect(appLanguage()).toBe('en');
    signInAs('es');
    expect(reload).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem('clinic.language')).toBe('es');
  });

  it('does not reload when a token refresh brings a language changed meanwhile in another tab', () => {
    signInAs('en');
    signInAs('es');
    expect(reload).not.toHaveBeenCalled();
  });

  it('does not reload for a user of the language the page started in', () => {
    signInAs('en');
    expect(reload).not.toHaveBeenCalled();
    expect(localStorage.getItem('clinic.language')).toBe('en');
  });
});
