import { TokenBucket } from '../common/token-bucket';

export type EventVerdict = 'allow' | 'refuse' | 'disconnect';

/**
 * The event budget of one socket: bursts up to `capacity` events, then `refillPerSecond` on
 * average. Client events cost database work (mark read, sync), so one misbehaving tab cannot
 * flood it. Events over the budget are refused; a socket that keeps sending anyway — as many
 * refused events again as its budget — is cut off, so a flood stops costing even the refusals.
 */
export class SocketRateLimiter {
  private readonly allowed: TokenBucket;
  private readonly refusals: TokenBucket;

  constructor(capacity = 30, refillPerSecond = 10) {
    this.allowed = new TokenBucket(capacity, refillPerSecond);
    this.refusals = new TokenBucket(2 * capacity, refillPerSecond);
  }

  take(): EventVerdict {
    if (this.allowed.tryTake()) return 'allow';
    return this.refusals.tryTake() ? 'refuse' : 'disconnect';
  }
}
