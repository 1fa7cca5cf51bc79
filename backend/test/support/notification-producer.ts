import { randomUUID } from 'node:crypto';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, SendNotificationRequest } from '@clinic/contracts';

/**
 * An admin UI sending notifications the way it should: each one with its own Idempotency-Key,
 * and a failed attempt (refused connection, reset, timeout, 5xx, 429) retried with the same key
 * until it succeeds, so a send that reached the database before the failure is not repeated.
 */
export interface ProducerOptions {
  /** Where to send: a node, or the load balancer. */
  baseUrl: string;
  adminToken: string;
  recipientId: string;
  count: number;
  /** Sends started per second, at most (the pace of a busy clinic, not of a load test). */
  perSecond: number;
  /** Titles are `${titlePrefix}${index}`. */
  titlePrefix: string;
}

export interface ProducerStats {
  /** Sends that got a 201. */
  sent: number;
  /** Attempts that failed and were retried. */
  retries: number;
  /** Retries answered with the stored first result (Idempotent-Replayed). */
  replayed: number;
}

const ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 1000;

export class NotificationProducer {
  readonly stats: ProducerStats = { sent: 0, retries: 0, replayed: 0 };
  private readonly run = randomUUID();
  private stopped = false;
  private progressWaiters: Array<{ atLeast: number; resolve: () => void }> = [];

  constructor(private readonly options: ProducerOptions) {}

  /** Sends them one after another, each retried until it succeeds. */
  async produce(): Promise<void> {
    const started = Date.now();
    for (let index = 0; index < this.options.count && !this.stopped; index++) {
      const due = started + (index * 1000) / this.options.perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      await this.send(index);
      this.stats.sent += 1;
      for (const waiter of this.progressWaiters.filter((w) => this.stats.sent >= w.atLeast)) waiter.resolve();
    }
  }

  /** Resolves once `count` sends have succeeded. */
  sentAtLeast(count: number): Promise<void> {
    if (this.stats.sent >= count) return Promise.resolve();
    return new Promise((resolve) => this.progressWaiters.push({ atLeast: count, resolve }));
  }

  stop(): void {
    this.stopped = true;
  }

  private async send(index: number): Promise<void> {
    const body: SendNotificationRequest = {
      title: `${this.options.titlePrefix}${index}`,
      message: `Notification ${index} of ${this.options.count}`,
      target: { userId: this.options.recipientId },
    };
    const key = `${this.run}-${index}`;
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) return;
      let retryAfterMs = Math.min(100 * 2 ** attempt, MAX_BACKOFF_MS);
      try {
        const response = await fetch(`${this.options.baseUrl}/api/notifications/test`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${this.options.adminToken}`,
            'Content-Type': 'application/json',
            [IDEMPOTENCY_KEY_HEADER]: key,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        if (response.status === 201) {
          if (response.headers.get(IDEMPOTENT_REPLAYED_HEADER) === 'true') this.stats.replayed += 1;
          return;
        }
        if (response.status !== 429 && response.status < 500) {
          throw new Error(`send ${index} refused for good: ${response.status}`);
        }
        const retryAfter = Number(response.headers.get('retry-after'));
        if (retryAfter > 0) retryAfterMs = Math.min(retryAfter * 1000, MAX_BACKOFF_MS);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(`send ${index} refused`)) throw error;
      }
      this.stats.retries += 1;
      await sleep(retryAfterMs);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
