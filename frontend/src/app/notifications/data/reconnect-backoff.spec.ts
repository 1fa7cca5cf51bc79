import { RECONNECT_BACKOFF, reconnectDelay } from './reconnect-backoff';

describe('reconnectDelay', () => {
  afterEach(() => vi.restoreAllMocks());

  it('doubles from the first delay and stops growing at the cap, within ±50 %', () => {
    const samples = (attempt: number) => Array.from({ length: 20 }, () => reconnectDelay(attempt));
    for (const [attempt, base] of [
      [1, 2_000],
      [2, 4_000],
      [3, 8_000],
      [4, 10_000],
      [10, 10_000],
    ]) {
      for (const delay of samples(attempt)) {
        expect(delay).toBeGreaterThanOrEqual(base * 0.5);
        expect(delay).toBeLessThanOrEqual(base * 1.5);
      }
    }
  });

  it('spreads the clients of a clinic over the whole ±50 % band', () => {
    vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(1);
    expect([reconnectDelay(10), reconnectDelay(10)]).toEqual([
      RECONNECT_BACKOFF.delayMax * 0.5,
      RECONNECT_BACKOFF.delayMax * 1.5,
    ]);
  });
});
