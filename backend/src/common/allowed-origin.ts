import type { AppConfig } from '../config/app-config';

/**
 * Whether a browser page of this origin may use the app's credentials: open a socket, refresh or
 * end a session. Allowed: the configured ALLOWED_ORIGINS and PUBLIC_URL's origin; when no
 * PUBLIC_URL is set, also the origin the request was addressed to (its Host header), so that
 * `npm start` and a proxy in front work without configuration. With PUBLIC_URL set the Host is not
 * believed: a DNS-rebinding page names its own host in both headers. A request with no Origin
 * header (a non-browser client) is judged by its token alone. One rule for HTTP and for sockets.
 */
export function isAllowedOrigin(
  origin: string | undefined,
  host: string | undefined,
  config: Pick<AppConfig, 'allowedOrigins' | 'publicUrl'>,
): boolean {
  if (origin === undefined) return true;
  if (config.allowedOrigins.includes(origin)) return true;
  if (config.publicUrl || !host) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === host.toLowerCase();
}
