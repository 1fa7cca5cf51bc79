import { localTimeToIso } from './local-time';

describe('localTimeToIso', () => {
  it('reads the picker’s time on the local clock', () => {
    expect(localTimeToIso('2026-12-01T08:30')).toBe(new Date(2026, 11, 1, 8, 30).toISOString());
  });

  it('leaves an empty field out', () => {
    expect(localTimeToIso('')).toBeUndefined();
  });
});
