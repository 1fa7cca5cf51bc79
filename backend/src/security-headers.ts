import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import helmet, { contentSecurityPolicy, strictTransportSecurity } from 'helmet';

/**
 * The Content-Security-Policy of every answer: the app's own origin only. No inline script, no
 * eval; inline styles only where named below (pages, API docs). `connect-src 'self'` also covers the same-origin ws:/wss: URL of the Socket.IO socket.
 * `upgrade-insecure-requests` (a helmet default) is left out: on the plain-HTTP start
 * (`npm start`, http://localhost:3000) it would send every subresource to an https:// URL that
 * nothing serves; behind TLS, HSTS already keeps the browser on HTTPS.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  objectSrc: ["'none'"],
} as const;

/** A source in a directive: a string, or one computed for each answer. */
type ContentSecurityPolicyDirectiveValue = string | ((request: IncomingMessage, response: ServerResponse) => string);

/**
 * Security headers on every answer Express writes (pages, files, API, errors, 404s), from helmet
 * with its defaults for the headers not named here. Engine.IO answers /socket.io/ itself, before
 * Express, so its polling responses do not get them.
 */
export function securityHeaders(): RequestHandler[] {
  const hsts = strictTransportSecurity();
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      xFrameOptions: { action: 'deny' },
      // Not `no-referrer`: with it, Chromium sends `Origin: null` on same-origin POSTs, and the
      // refresh and logout routes judge a browser by its Origin.
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      // RFC 6797: never over plain HTTP; sent below when the request came over HTTPS.
      strictTransportSecurity: false,
    }),
    // req.secure honours `trust proxy`: behind a TLS-terminating proxy, its X-Forwarded-Proto.
    (request, response, next) => (request.secure ? hsts(request, response, next) : next()),
  ];
}

/**
 * The policy of a page (index.html): also allows the inline <style> elements that carry the
 * nonce in `response.locals.styleNonce`. Angular adds each component's styles as such an element
 * and gives it the nonce it finds in the page's `ngCspNonce` attribute.
 */
export function pageContentSecurityPolicy(): RequestHandler {
  return policyWithStyles([...CONTENT_SECURITY_POLICY.styleSrc, (_request, response) => `'nonce-${(response as Response).locals.styleNonce}'`]);
}

/**
 * The policy of the Swagger UI (/api/docs, off in production by default): its page has an inline
 * <style> and style attributes, which it may apply; scripts stay 'self' only.
 */
export function apiDocsContentSecurityPolicy(): RequestHandler {
  return policyWithStyles([...CONTENT_SECURITY_POLICY.styleSrc, "'unsafe-inline'"]);
}

function policyWithStyles(styleSrc: ContentSecurityPolicyDirectiveValue[]): RequestHandler {
  return contentSecurityPolicy({ useDefaults: false, directives: { ...CONTENT_SECURITY_POLICY, styleSrc } });
}
