import { SocketRateLimiter } from './socket-rate-limiter';

describe('SocketRateLimiter', () => {
  afterEach(() => jest.useRealTimers());

  it('allows a burst up to its capacity, then refills over time', () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new SocketRateLimiter(3, 2);
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([true, true, true, false]);
    jest.setSystemTime(500);
    expect([limiter.tryTake(), limiter.tryTake()]).toEqual([true, false]);
    jest.setSystemTime(60_000);
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([true, true, true, false]);
  });
});
