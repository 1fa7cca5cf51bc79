import { SocketRateLimiter } from './socket-rate-limiter';

describe('SocketRateLimiter', () => {
  afterEach(() => jest.useRealTimers());

  const take = (limiter: SocketRateLimiter, times: number) => Array.from({ length: times }, () => limiter.take());

  it('allows a burst up to its capacity, then refills over time', () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new SocketRateLimiter(3, 2);
    expect(take(limiter, 4)).toEqual(['allow', 'allow', 'allow', 'refuse']);
    jest.setSystemTime(500);
    expect(take(limiter, 2)).toEqual(['allow', 'refuse']);
    jest.setSystemTime(60_000);
    expect(take(limiter, 4)).toEqual(['allow', 'allow', 'allow', 'refuse']);
  });

  it('cuts off a socket that keeps sending after twice its burst was refused', () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new SocketRateLimiter(3, 2);
    expect(take(limiter, 10)).toEqual([...Array(3).fill('allow'), ...Array(6).fill('refuse'), 'disconnect']);
  });

  it('keeps a socket that slows down once refused', () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new SocketRateLimiter(3, 2);
    take(limiter, 9);
    for (let second = 1; second <= 30; second++) {
      jest.setSystemTime(second * 1000);
      expect(take(limiter, 2)).toEqual(['allow', 'allow']);
    }
  });
});
