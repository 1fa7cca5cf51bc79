/** A fresh key per submission: a retried request with it creates nothing twice. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
