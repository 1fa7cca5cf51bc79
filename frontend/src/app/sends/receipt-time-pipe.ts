import { inject, LOCALE_ID, Pipe, PipeTransform } from '@angular/core';

/** A receipt's time to the second ("Dec 1, 2:02:31 PM"), in the app's language: seconds tell who reacted first. */
@Pipe({ name: 'receiptTime' })
export class ReceiptTimePipe implements PipeTransform {
  private readonly exact = new Intl.DateTimeFormat(inject(LOCALE_ID), {
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
  });

  transform(iso: string): string {
    return this.exact.format(new Date(iso));
  }
}
