/** Allows bursts of up to `capacity` takes, then `refillPerSecond` on average. */
export class TokenBucket {
  private tokens: number;
  private updatedAt = Date.now();

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
  ) {
    this.tokens = capacity;
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whole seconds until the next take succeeds (at least 1, for a Retry-After header). */
  secondsUntilNext(): number {
    this.refill();
    return Math.max(1, Math.ceil((1 - this.tokens) / this.refillPerSecond));
  }

  /** A full bucket remembers nothing a new one would not: it can be dropped. */
  isFull(): boolean {
    this.refill();
    return this.tokens >= this.capacity;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.refillPerSecond);
    this.updatedAt = now;
  }
}
