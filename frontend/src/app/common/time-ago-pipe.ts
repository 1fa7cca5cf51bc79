import { Pipe, PipeTransform } from '@angular/core';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const dateOnly = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', year: 'numeric' });

/** "just now", "5 min. ago", "3 hr. ago", "yesterday", then the date; `now` from Clock. */
@Pipe({ name: 'timeAgo' })
export class TimeAgoPipe implements PipeTransform {
  transform(iso: string, now: number): string {
    const seconds = Math.round((now - Date.parse(iso)) / 1000);
    if (seconds < 45) return 'just now';
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return relative.format(-minutes, 'minute');
    const hours = Math.round(minutes / 60);
    if (hours < 24) return relative.format(-hours, 'hour');
    const days = Math.round(hours / 24);
    return days < 7 ? relative.format(-days, 'day') : dateOnly.format(new Date(iso));
  }
}
