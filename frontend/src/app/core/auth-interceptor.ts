import { HttpErrorResponse, HttpEvent, HttpHandlerFn, HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, Observable, of, switchMap, throwError } from 'rxjs';

import { API_ROOT, AUTH_API } from './api-paths';
import { AuthService } from './auth-service';

/** Requests whose 401 means "wrong credentials" or "session over", never "token expired". */
const SESSION_ENDPOINTS: readonly string[] = Object.values(AUTH_API);

/**
 * Sends the access token with every call to our own API (and nowhere else, so it cannot leak to
 * another origin). When a call comes back 401 because the token expired, it refreshes the session
 * once and retries the call with the new token; AuthService sends the user to sign in if the
 * session cannot be refreshed.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  if (!isApiCall(request.url)) {
    return next(request);
  }
  const auth = inject(AuthService);
  const sentToken = auth.accessToken();
  return next(withBearer(request, sentToken)).pipe(
    catchError((error: unknown) =>
      isExpiredToken(error, request) && auth.isAuthenticated()
        ? retryWithFreshToken(request, next, auth, sentToken)
        : throwError(() => error),
    ),
  );
};

function retryWithFreshToken(
  request: HttpRequest<unknown>,
  next: HttpHandlerFn,
  auth: AuthService,
  rejectedToken: string | null,
): Observable<HttpEvent<unknown>> {
  const current = auth.accessToken();
  // Another call may already have refreshed while this one was in flight.
  const freshToken$ = current && current !== rejectedToken ? of(current) : auth.refresh();
  return freshToken$.pipe(switchMap((token) => next(withBearer(request, token))));
}

function isApiCall(url: string): boolean {
  return url.startsWith(API_ROOT);
}

function isExpiredToken(error: unknown, request: HttpRequest<unknown>): boolean {
  const path = request.url.split('?')[0];
  return error instanceof HttpErrorResponse && error.status === 401 && !SESSION_ENDPOINTS.includes(path);
}

function withBearer<T>(request: HttpRequest<T>, token: string | null): HttpRequest<T> {
  return token ? request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : request;
}
