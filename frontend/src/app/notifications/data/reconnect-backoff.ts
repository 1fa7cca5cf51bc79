/**
 * The one back-off for getting the live connection back: socket.io's own retries after a lost
 * transport, and the app's retries after a refused handshake, a socket the server ended, or a
 * failed token refresh. Doubling from 1 s up to 10 s, each delay randomised by ±50 % so that the
 * clinic's clients do not all come back at the same instant after a server restart.
 *
 * Capped at 10 s rather than 30 s: what staff notice is how long after a restart their live
 * notifications return, and every retry costs the server one handshake or refresh it answers at
 * once (polling covers the meantime); the ±50 % spread, not a longer cap, is what keeps a whole
 * clinic from reconnecting at the same moment.
 */
export const RECONNECT_BACKOFF = { delay: 1_000, delayMax: 10_000, randomization: 0.5 } as const;

/** How long to wait before attempt `attempt` (1 for the first retry): exponential, capped, randomised. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(RECONNECT_BACKOFF.delay * 2 ** attempt, RECONNECT_BACKOFF.delayMax);
  const { randomization } = RECONNECT_BACKOFF;
  return Math.round(base * (1 - randomization + Math.random() * randomization * 2));
}
