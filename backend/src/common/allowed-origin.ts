/**
 * Whether a browser page of this origin may use the app's credentials: open a socket, refresh or
 * end a session. The app's own origin (the one the request was addressed to, as its Host header
 * says, or PUBLIC_URL) and the configured ALLOWED_ORIGINS are; a request with no Origin header
 * (a non-browser client) is judged by its token alone. One rule for HTTP and for sockets.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  if (!host) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === host.toLowerCase();
}
