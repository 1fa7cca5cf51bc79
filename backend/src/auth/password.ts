import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { TemporarilyUnavailableException } from '../common/too-many-requests';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

// scrypt (memory-hard, in Node's crypto) at one of OWASP's recommended minimum costs (N=2^16, r=8, p=2: 64 MiB per hash).
const COST = { N: 2 ** 16, r: 8, p: 2, maxmem: 128 * 1024 * 1024 };
const KEY_LENGTH = 32;
/** What a client told "busy" should wait: about one hash. */
const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * At most `concurrency` hashes at once and `queueLimit` waiting; past that, a 503 at once. Without
 * it a flood of sign-ins (unknown emails cost a hash too) queues hashes on the libuv threadpool
 * without bound: every real sign-in waits behind all of them, and each holds 64 MiB.
 *
 * Hand-written rather than a library: p-limit (current versions ESM-only; the backend is
 * CommonJS) and async-mutex's Semaphore bound only the running tasks, not the waiting ones, so
 * the refusal — the point here — would be our own counting around them anyway.
 */
class HashingGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else if (this.waiting.length < this.queueLimit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new TemporarilyUnavailableException(`Too many sign-ins at once; try again in ${BUSY_RETRY_AFTER_SECONDS} s`, BUSY_RETRY_AFTER_SECONDS);
    try {
      return await hash();
    } finally {
      // Hand the slot straight to the next in line, so a newcomer cannot overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

// One per process, not per app: the threadpool and memory it protects are the process's. Unbounded
// until the app sets its bound (createApp does, before anything hashes).
let gate = new HashingGate(Number.POSITIVE_INFINITY, 0);

/**
 * Sets the bound (HASH_CONCURRENCY, HASH_QUEUE_LIMIT); hashes already admitted finish under the old
 * one. Past it, hashPassword and verifyPassword throw TemporarilyUnavailableException (503, Retry-After).
 */
export function limitPasswordHashing(concurrency: number, queueLimit: number): void {
  gate = new HashingGate(concurrency, queueLimit);
}

/** Returns `scrypt$N$r$p$salt$hash` (base64url), self-describing so the cost can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await gate.run(() => scryptAsync(password, salt, KEY_LENGTH, COST));
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await gate.run(() =>
    scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: COST.maxmem,
    }),
  );
  return timingSafeEqual(actual, expected);
}
