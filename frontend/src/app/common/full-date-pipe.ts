import { Pipe, PipeTransform } from '@angular/core';

const full = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** The full date and time, for tooltips and `datetime`-carrying elements. */
@Pipe({ name: 'fullDate' })
export class FullDatePipe implements PipeTransform {
  transform(iso: string): string {
    return full.format(new Date(iso));
  }
}
