const PROBE_ORIGIN = 'https://app.invalid';

/**
 * The in-app path a notification may send the user to, or null. Only paths on this app's own
 * origin pass: never `javascript:`, another site, or `//host` and `/\host` (which browsers read as
 * another site), whatever the server or an admin put in `actionUrl`.
 */
export function inAppUrl(url: string | null | undefined): string | null {
  if (!url || !url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\')) return null;
  try {
    // The URL parser strips tabs and newlines the way a browser would before navigating.
    const parsed = new URL(url, PROBE_ORIGIN);
    return parsed.origin === PROBE_ORIGIN ? parsed.pathname + parsed.search + parsed.hash : null;
  } catch {
    return null;
  }
}
