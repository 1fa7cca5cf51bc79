import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { ChangePasswordRequest } from '@clinic/contracts';
import { Observable } from 'rxjs';

import { ACCOUNT_API } from '../core/api-paths';

/** The signed-in user's own account. */
@Injectable({ providedIn: 'root' })
export class AccountApi {
  private readonly http = inject(HttpClient);

  /** The user's other sessions end; this one goes on. */
  changePassword(request: ChangePasswordRequest): Observable<void> {
    return this.http.post<void>(ACCOUNT_API.changePassword, request);
  }
}
