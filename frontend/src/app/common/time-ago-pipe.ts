import { inject, LOCALE_ID, Pipe, PipeTransform } from '@angular/core';

interface Formats {
  readonly relative: Intl.RelativeTimeFormat;
  readonly dateOnly: Intl.DateTimeFormat;
}

/** Built once per locale, not per pipe: every row of a list has its own pipe. */
const formatsByLocale = new Map<string, Formats>();

function formatsFor(locale: string): Formats {
  let formats = formatsByLocale.get(locale);
  if (!formats) {
    formats = {
      relative: new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' }),
      dateOnly: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }),
    };
    formatsByLocale.set(locale, formats);
  }
  return formats;
}

/** "just now", "5 min. ago", "3 hr. ago", "yesterday", then the date, in the app's language; `now` from Clock. */
@Pipe({ name: 'timeAgo' })
export class TimeAgoPipe implements PipeTransform {
  private readonly formats = formatsFor(inject(LOCALE_ID));

  transform(iso: string, now: number): string {
    const seconds = Math.round((now - Date.parse(iso)) / 1000);
    if (seconds < 45) return $localize`:@@common.justNow:just now`;
    const { relative, dateOnly } = this.formats;
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return relative.format(-minutes, 'minute');
    const hours = Math.round(minutes / 60);
    if (hours < 24) return relative.format(-hours, 'hour');
    const days = Math.round(hours / 24);
    return days < 7 ? relative.format(-days, 'day') : dateOnly.format(new Date(iso));
  }
}
