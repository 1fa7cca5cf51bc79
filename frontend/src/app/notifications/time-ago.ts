import { DestroyRef, inject, Injectable, Pipe, PipeTransform, signal } from '@angular/core';

/** The current time, ticking twice a minute, so "2 min ago" labels age while on screen. */
@Injectable({ providedIn: 'root' })
export class Clock {
  private readonly current = signal(Date.now());
  readonly now = this.current.asReadonly();

  constructor() {
    const timer = setInterval(() => this.current.set(Date.now()), 30_000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const dateOnly = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', year: 'numeric' });
const full = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** "just now", "5 min. ago", "3 hr. ago", "yesterday", then the date. */
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

/** The full date and time, for tooltips and `datetime`-carrying elements. */
@Pipe({ name: 'fullDate' })
export class FullDatePipe implements PipeTransform {
  transform(iso: string): string {
    return full.format(new Date(iso));
  }
}
