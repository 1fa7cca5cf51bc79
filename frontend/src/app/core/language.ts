import { registerLocaleData } from '@angular/common';
import { loadTranslations } from '@angular/localize';
// Not the contracts' index: this module runs before the app, and the index would bring every rule with it.
import { DEFAULT_LANGUAGE, isLanguage, type Language, pickLanguage } from '@clinic/contracts/language';

/**
 * The app's language is chosen once per page load, before the app starts: Angular's runtime
 * translations must be loaded before the first `$localize` runs, so changing it means a reload.
 * The choice lives on the server (the user's `language`); this device remembers the last one so the
 * next load (the login page included) starts in it without asking.
 */
const STORAGE_KEY = 'clinic.language';

/** English is the source text; every other language brings its catalogue and Angular's locale data. */
const CATALOGUES: Readonly<Record<Exclude<Language, 'en'>, () => Promise<[{ translations: Record<string, string> }, unknown]>>> = {
  es: () =>
    Promise.all([
      import('../../locale/messages.es.json').then((module) => module.default),
      import('@angular/common/locales/es').then((module) => module.default),
    ]),
};

let active: Language = DEFAULT_LANGUAGE;
/** What this load set out to show; `active` falls back to English if its texts cannot be loaded. */
let requested: Language = DEFAULT_LANGUAGE;

/** The language of this page load: for LOCALE_ID and for `Intl` formats written in code. */
export function appLanguage(): Language {
  return active;
}

/** The remembered choice, else the browser's preferred languages. */
export function deviceLanguage(): Language {
  const stored = readStored();
  return stored ?? pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

/** Loads the language's catalogue and locale data; called by main.ts before the app is imported. */
export async function startLanguage(language: Language = deviceLanguage()): Promise<void> {
  active = requested = language;
  document.documentElement.lang = language;
  if (language === 'en') return;
  try {
    const [catalogue, localeData] = await CATALOGUES[language]();
    loadTranslations(catalogue.translations);
    registerLocaleData(localeData, language);
  } catch (error) {
    // A catalogue that cannot be fetched (offline before it was ever cached) leaves English, not a blank page.
    console.error(`The ${language} texts could not be loaded; the app starts in English.`, error);
    active = DEFAULT_LANGUAGE;
    document.documentElement.lang = DEFAULT_LANGUAGE;
  }
}

/**
 * Makes `language` this device's language. Returns whether the page must reload to show it: this
 * load did not set out to show it, and it was stored. (A language whose texts could not be loaded
 * is not retried by a reload, nor one that could not be stored: either would reload again and again.)
 */
export function rememberLanguage(language: Language): boolean {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage refused (private mode, quota): the choice still holds on the server, for the next sign-in.
    return false;
  }
  return language !== requested;
}

function readStored(): Language | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}
