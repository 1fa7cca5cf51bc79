import { inject, LOCALE_ID, Pipe, PipeTransform } from '@angular/core';

/**
 * An amount as the API sends it (a decimal string such as "120.5") in the clinic's currency,
 * formatted for the app's locale ("$120.50", "120,50 €"); with two decimals and no symbol until
 * the currency is known.
 */
@Pipe({ name: 'amount' })
export class AmountPipe implements PipeTransform {
  private readonly locale = inject(LOCALE_ID);

  transform(amount: string, currency: string | null): string {
    const value = Number(amount);
    if (!Number.isFinite(value)) return amount;
    const style = currency ? { style: 'currency' as const, currency } : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
    return new Intl.NumberFormat(this.locale, style).format(value);
  }
}
