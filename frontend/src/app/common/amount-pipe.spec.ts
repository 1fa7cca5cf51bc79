import { LOCALE_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';

import { AmountPipe } from './amount-pipe';

describe('AmountPipe', () => {
  const format = (locale: string, amount: string, currency: string | null) => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [{ provide: LOCALE_ID, useValue: locale }] });
    // Non-breaking spaces, as Intl writes them, read as plain ones.
    return TestBed.runInInjectionContext(() => new AmountPipe()).transform(amount, currency).replace(/\s/g, ' ');
  };

  it('shows the clinic currency as the app’s locale writes it', () => {
    expect(format('en-US', '120.5', 'USD')).toBe('$120.50');
    expect(format('de-DE', '1234.5', 'EUR')).toBe('1.234,50 €');
    expect(format('es-MX', '99', 'MXN')).toBe('$99.00');
  });

  it('shows two decimals without a symbol until the currency is known, and leaves a non-number as it came', () => {
    expect(format('en-US', '7', null)).toBe('7.00');
    expect(format('en-US', 'n/a', 'USD')).toBe('n/a');
  });
});
