import { inject, LOCALE_ID, Pipe, PipeTransform } from '@angular/core';

import { appLanguage } from '../core/language';

/** One formatter per locale: the language is fixed for a page load, so in practice one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The full date and time ("Dec 1, 2026, 2:00 PM"; "1 dic 2026, 14:00" in Spanish), for sentences written in code. */
export function formatFullDate(iso: string, locale: string = appLanguage()): string {
  let full = formatters.get(locale);
  if (!full) {
    full = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    formatters.set(locale, full);
  }
  return full.format(new Date(iso));
}

/** The full date and time, for tooltips and `datetime`-carrying elements. */
@Pipe({ name: 'fullDate' })
export class FullDatePipe implements PipeTransform {
  private readonly locale = inject(LOCALE_ID);

  transform(iso: string): string {
    return formatFullDate(iso, this.locale);
  }
}
