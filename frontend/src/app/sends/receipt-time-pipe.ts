import { Pipe, PipeTransform } from '@angular/core';

const exact = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' });

/** A receipt's time to the second ("Dec 1, 2:02:31 PM"): seconds tell who reacted first. */
@Pipe({ name: 'receiptTime' })
export class ReceiptTimePipe implements PipeTransform {
  transform(iso: string): string {
    return exact.format(new Date(iso));
  }
}
