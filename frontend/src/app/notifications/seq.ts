/**
 * `seq` values are PostgreSQL bigints sent as decimal strings; they can exceed
 * Number.MAX_SAFE_INTEGER, so they are compared as BigInt, never as numbers or strings.
 */
export function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x > y ? 1 : -1;
}

export function maxSeq(current: string | null, candidate: string): string {
  return current === null || compareSeq(candidate, current) > 0 ? candidate : current;
}
