/**
 * The languages the app, its notification templates and its mail are written in. A user's choice
 * is stored on the server (`UserDto.language`, `NotificationSettingsDto.language`), so what the
 * server writes for them (an order's notification, a mail) follows it on every device.
 */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** For an account that never chose, and for text written before anyone is signed in. */
export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language named in itself, as a language picker lists it. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', es: 'Español' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The first supported language among a browser's preferences ("es-MX" → "es"), else the default. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return DEFAULT_LANGUAGE;
}
