import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import {
  AccountDto,
  AccountPageDto,
  CreateUserRequest,
  CreateUserResult,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  ResetPasswordResult,
  UpdateUserRequest,
} from '@clinic/contracts';
import { EMPTY, expand, Observable, reduce } from 'rxjs';

import { USERS_URL } from './api-paths';

export interface UserSearch {
  /** Part of the name or email, any letter case. */
  readonly q?: string;
  readonly cursor?: string | null;
  readonly limit?: number;
}

/**
 * User administration (admins only): the Users page, and the people pickers of the send page, the
 * order form and the audit filters.
 */
@Injectable({ providedIn: 'root' })
export class UsersApi {
  private readonly http = inject(HttpClient);

  search({ q, cursor, limit = DEFAULT_PAGE_SIZE }: UserSearch = {}): Observable<AccountPageDto> {
    let params = new HttpParams().set('limit', limit);
    if (q) params = params.set('q', q);
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<AccountPageDto>(USERS_URL, { params });
  }

  /** Every user, by name, page after page: for pickers. */
  listAll(): Observable<AccountDto[]> {
    return this.search({ limit: MAX_PAGE_SIZE }).pipe(
      expand((page) => (page.nextCursor ? this.search({ cursor: page.nextCursor, limit: MAX_PAGE_SIZE }) : EMPTY)),
      reduce<AccountPageDto, AccountDto[]>((users, page) => [...users, ...page.items], []),
    );
  }

  create(request: CreateUserRequest): Observable<CreateUserResult> {
    return this.http.post<CreateUserResult>(USERS_URL, request);
  }

  update(id: string, request: UpdateUserRequest): Observable<AccountDto> {
    return this.http.patch<AccountDto>(userUrl(id), request);
  }

  deactivate(id: string): Observable<AccountDto> {
    return this.http.post<AccountDto>(`${userUrl(id)}/deactivate`, null);
  }

  reactivate(id: string): Observable<AccountDto> {
    return this.http.post<AccountDto>(`${userUrl(id)}/reactivate`, null);
  }

  /** Replaces the password with a generated one, answered once, and ends all the user's sessions. */
  resetPassword(id: string): Observable<ResetPasswordResult> {
    return this.http.post<ResetPasswordResult>(`${userUrl(id)}/reset-password`, null);
  }
}

const userUrl = (id: string) => `${USERS_URL}/${encodeURIComponent(id)}`;
