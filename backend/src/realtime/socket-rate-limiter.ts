/**
 * A token bucket per socket: bursts up to `capacity` events, then `refillPerSecond` on average.
 * Client events cost database work (mark read, sync), so one misbehaving tab cannot flood it.
 */
export class SocketRateLimiter {
  private tokens: number;
  private updatedAt = Date.now();

  constructor(
    private readonly capacity = 30,
    private readonly refillPerSecond = 10,
  ) {
    this.tokens = capacity;
  }

  tryTake(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.refillPerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
