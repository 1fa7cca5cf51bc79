import { parseSeq } from './seq';

describe('parseSeq', () => {
  it('accepts decimal strings up to the largest bigint', () => {
    expect(parseSeq('0')).toBe(0n);
    expect(parseSeq('42')).toBe(42n);
    expect(parseSeq('9223372036854775807')).toBe(9223372036854775807n);
  });

  it('refuses numbers, signs, leading zeros, fractions and values beyond a bigint', () => {
    for (const value of [42, '-1', '+1', '01', '1.5', '1e3', '', ' 1', '9223372036854775808', '99999999999999999999', null, undefined, {}]) {
      expect(parseSeq(value)).toBeNull();
    }
  });
});
