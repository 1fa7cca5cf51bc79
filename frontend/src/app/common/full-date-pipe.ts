import { Pipe, PipeTransform } from '@angular/core';

const full = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** The full date and time ("Dec 1, 2026, 2:00 PM"), for sentences written in code. */
export function formatFullDate(iso: string): string {
  return full.format(new Date(iso));
}

/** The full date and time, for tooltips and `datetime`-carrying elements. */
@Pipe({ name: 'fullDate' })
export class FullDatePipe implements PipeTransform {
  transform(iso: string): string {
    return formatFullDate(iso);
  }
}
