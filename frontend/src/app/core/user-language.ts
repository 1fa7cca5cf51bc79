import { computed, effect, inject, untracked } from '@angular/core';

import { AuthService } from './auth-service';
import { rememberLanguage } from './language';
import { PageReload } from './page-reload';

/**
 * The signed-in user's language is the app's: the first time someone signs in (or a session is
 * restored) on a device set to another language, the page reloads in theirs. Runs from app start.
 */
export function followUserLanguage(): void {
  const auth = inject(AuthService);
  const page = inject(PageReload);
  // On a new session only, not on every token refresh: a language chosen in another tab must not
  // reload this one under someone's typing (it applies from this tab's next load).
  const userId = computed(() => auth.user()?.id ?? null);
  effect(() => {
    if (!userId()) return;
    const language = untracked(auth.user)?.language;
    if (language && rememberLanguage(language)) page.reload();
  });
}
