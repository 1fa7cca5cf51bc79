import { HttpErrorResponse } from '@angular/common/http';

/** A sentence for the user about a failed request, using the server's own message for a 400. */
export function describeHttpError(error: unknown, action: string): string {
  if (!(error instanceof HttpErrorResponse)) return `Could not ${action}.`;
  switch (error.status) {
    case 0:
      return `Could not ${action}: the server cannot be reached. Check your connection and try again.`;
    case 400: {
      const message: unknown = (error.error as { message?: unknown } | null)?.message;
      const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : null;
      return detail ? `Could not ${action}: ${detail}.` : `Could not ${action}: the form has a mistake.`;
    }
    case 403:
      return `You are not allowed to ${action}.`;
    case 404:
      return `Could not ${action}: it no longer exists.`;
    case 429:
      return `Too many requests. Wait a moment, then ${action} again.`;
    default:
      return `Could not ${action} because of a problem on our side. Try again in a moment.`;
  }
}
