import { DOCUMENT } from '@angular/common';
import { computed, effect, inject, InjectionToken, untracked } from '@angular/core';

import { AuthService } from './auth-service';
import { rememberLanguage } from './language';

/** Reloads the page (a token, so tests can watch it instead). */
export const RELOAD_PAGE = new InjectionToken<() => void>('RELOAD_PAGE', {
  factory: () => {
    const location = inject(DOCUMENT).location;
    return () => location.reload();
  },
});

/**
 * The signed-in user's language is the app's: the first time someone signs in (or a session is
 * restored) on a device set to another language, the page reloads in theirs. Runs from app start.
 */
export function followUserLanguage(): void {
  const auth = inject(AuthService);
  const reload = inject(RELOAD_PAGE);
  // On a new session only, not on every token refresh: a language chosen in another tab must not
  // reload this one under someone's typing (it applies from this tab's next load).
  const userId = computed(() => auth.user()?.id ?? null);
  effect(() => {
    if (!userId()) return;
    const language = untracked(auth.user)?.language;
    if (language && rememberLanguage(language)) reload();
  });
}
