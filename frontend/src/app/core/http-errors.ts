import { HttpErrorResponse } from '@angular/common/http';

/**
 * Sentences a page says instead of the usual ones, by HTTP status (0: the server cannot be
 * reached); `other`, when given, for every failure not listed.
 */
export type ErrorWording = Readonly<Partial<Record<number | 'other', string>>>;

/**
 * A sentence for the user about a failed request: what could not be done and what to do about it,
 * in the app's language (`action` is a translated verb phrase such as "send the notification"),
 * with the server's own message for a 400. `wording` replaces the sentence for some statuses, for a
 * page where a status means something else (a 401 at sign-in is a wrong password).
 */
export function describeHttpError(error: unknown, action: string, wording: ErrorWording = {}): string {
  const status = error instanceof HttpErrorResponse ? error.status : null;
  const own = (status === null ? undefined : wording[status]) ?? wording.other;
  if (own) return own;
  if (status === null) return $localize`:@@common.httpFailed:Could not ${action}:ACTION:.`;
  switch (status) {
    case 0:
      return $localize`:@@common.httpUnreachable:Could not ${action}:ACTION:: the server cannot be reached. Check your connection and try again.`;
    case 400: {
      const detail = serverMessage(error as HttpErrorResponse);
      return detail ? failedBecause(action, detail) : $localize`:@@common.httpInvalid:Could not ${action}:ACTION:: the form has a mistake.`;
    }
    case 403:
      return $localize`:@@common.httpForbidden:You are not allowed to ${action}:ACTION:.`;
    case 404:
      return $localize`:@@common.httpNotFound:Could not ${action}:ACTION:: it no longer exists.`;
    case 409: {
      // A conflict names the rule it hit ("that email is taken", "the last active admin").
      const detail = serverMessage(error as HttpErrorResponse);
      return detail
        ? failedBecause(action, detail)
        : $localize`:@@common.httpConflict:Could not ${action}:ACTION:: it was changed meanwhile. Reload the page and try again.`;
    }
    case 429:
      return $localize`:@@common.httpTooMany:Too many requests. Wait a moment, then ${action}:ACTION: again.`;
    default:
      return $localize`:@@common.httpServerProblem:Could not ${action}:ACTION: because of a problem on our side. Try again in a moment.`;
  }
}

/** The server's reason is its own (English) text: only the sentence around it is translated. */
function failedBecause(action: string, detail: string): string {
  return $localize`:@@common.httpFailedBecause:Could not ${action}:ACTION:: ${detail}:DETAIL:.`;
}

/** The server's own explanation (Nest's `message`, one string or a list), without a final full stop. */
function serverMessage(error: HttpErrorResponse): string | null {
  const message: unknown = (error.error as { message?: unknown } | null)?.message;
  const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : null;
  return detail ? detail.replace(/\.$/, '') : null;
}
