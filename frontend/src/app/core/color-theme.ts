import { DOCUMENT } from '@angular/common';
import { DestroyRef, inject, Injectable, signal } from '@angular/core';

/** The theme a person chose on this device: the system's (the default), or always light or dark. */
export type ColorTheme = 'system' | 'light' | 'dark';

export const COLOR_THEMES: readonly ColorTheme[] = ['system', 'light', 'dark'];

/** Where the choice is kept, per browser profile. */
export const COLOR_THEME_STORAGE_KEY = 'clinic.colorTheme';

/**
 * The colour theme of the app. styles.css defines every colour for both themes and picks one by
 * `color-scheme`; this sets `<html data-theme>` to a stored light or dark choice (and removes it for
 * the system's), from an app initializer, so the first render already has the right colours and
 * no inline script is needed (the Content-Security-Policy allows none). Other tabs follow a change.
 */
@Injectable({ providedIn: 'root' })
export class ColorThemeService {
  private readonly document = inject(DOCUMENT);
  private readonly storage = safeLocalStorage(this.document);
  private readonly current = signal<ColorTheme>(this.stored());

  readonly theme = this.current.asReadonly();

  constructor() {
    const window = this.document.defaultView;
    const onStorage = (event: StorageEvent) => {
      if (event.key === COLOR_THEME_STORAGE_KEY || event.key === null) {
        this.current.set(this.stored());
        this.apply();
      }
    };
    window?.addEventListener('storage', onStorage);
    inject(DestroyRef).onDestroy(() => window?.removeEventListener('storage', onStorage));
  }

  /** Puts the current choice on <html>; the app initializer calls it before the first render. */
  apply(): void {
    const root = this.document.documentElement;
    const theme = this.current();
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
  }

  set(theme: ColorTheme): void {
    this.current.set(theme);
    try {
      if (theme === 'system') this.storage?.removeItem(COLOR_THEME_STORAGE_KEY);
      else this.storage?.setItem(COLOR_THEME_STORAGE_KEY, theme);
    } catch {
      // Storage full or refused: the choice holds for this page only.
    }
    this.apply();
  }

  private stored(): ColorTheme {
    let value: string | null = null;
    try {
      value = this.storage?.getItem(COLOR_THEME_STORAGE_KEY) ?? null;
    } catch {
      value = null;
    }
    return value === 'light' || value === 'dark' ? value : 'system';
  }
}

function safeLocalStorage(document: Document): Storage | null {
  try {
    return document.defaultView?.localStorage ?? null;
  } catch {
    // Storage disabled (privacy settings): every page load starts from the system's theme.
    return null;
  }
}
