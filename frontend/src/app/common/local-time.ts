/**
 * `<input type="datetime-local">` gives the time on the user's clock without a zone; the server
 * wants an instant. Empty (or not a time) gives undefined.
 */
export function localTimeToIso(local: string): string | undefined {
  if (!local) return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
