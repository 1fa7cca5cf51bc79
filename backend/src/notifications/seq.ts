/** Largest PostgreSQL bigint. */
export const MAX_SEQ = 2n ** 63n - 1n;
const SEQ_PATTERN = /^(0|[1-9][0-9]{0,18})$/;

/** A `seq` cursor from a client ("0" for none), or null when it is not a decimal bigint. */
export function parseSeq(value: unknown): bigint | null {
  if (typeof value !== 'string' || !SEQ_PATTERN.test(value)) return null;
  const seq = BigInt(value);
  return seq <= MAX_SEQ ? seq : null;
}
