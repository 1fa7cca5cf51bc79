import { HttpErrorResponse } from '@angular/common/http';

/**
 * Sentences a page says instead of the usual ones, by HTTP status (0: the server cannot be
 * reached); `other`, when given, for every failure not listed.
 */
export type ErrorWording = Readonly<Partial<Record<number | 'other', string>>>;

/**
 * A sentence for the user about a failed request: what could not be done and what to do about it,
 * with the server's own message for a 400. `wording` replaces the sentence for some statuses, for a
 * page where a status means something else (a 401 at sign-in is a wrong password).
 */
export function describeHttpError(error: unknown, action: string, wording: ErrorWording = {}): string {
  const status = error instanceof HttpErrorResponse ? error.status : null;
  const own = (status === null ? undefined : wording[status]) ?? wording.other;
  if (own) return own;
  if (status === null) return `Could not ${action}.`;
  switch (status) {
    case 0:
      return `Could not ${action}: the server cannot be reached. Check your connection and try again.`;
    case 400: {
      const detail = serverMessage(error as HttpErrorResponse);
      return detail ? `Could not ${action}: ${detail}.` : `Could not ${action}: the form has a mistake.`;
    }
    case 403:
      return `You are not allowed to ${action}.`;
    case 404:
      return `Could not ${action}: it no longer exists.`;
    case 409: {
      // A conflict names the rule it hit ("that email is taken", "the last active admin").
      const detail = serverMessage(error as HttpErrorResponse);
      return detail ? `Could not ${action}: ${detail}.` : `Could not ${action}: it was changed meanwhile. Reload the page and try again.`;
    }
    case 429:
      return `Too many requests. Wait a moment, then ${action} again.`;
    default:
      return `Could not ${action} because of a problem on our side. Try again in a moment.`;
  }
}

/** The server's own explanation (Nest's `message`, one string or a list), without a final full stop. */
function serverMessage(error: HttpErrorResponse): string | null {
  const message: unknown = (error.error as { message?: unknown } | null)?.message;
  const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : null;
  return detail ? detail.replace(/\.$/, '') : null;
}
