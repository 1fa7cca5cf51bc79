import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { AuditAction, AuditPageDto, DEFAULT_PAGE_SIZE } from '@clinic/contracts';
import { Observable } from 'rxjs';

import { AUDIT_URL } from '../core/api-paths';

/** What GET /api/audit narrows the log to; every part is optional. */
export interface AuditFilter {
  readonly actorId?: string;
  readonly action?: AuditAction;
  /** ISO time, included. */
  readonly from?: string;
  /** ISO time, excluded. */
  readonly to?: string;
}

/** The audit log (admins): newest first, one page at a time. */
@Injectable({ providedIn: 'root' })
export class AuditApi {
  private readonly http = inject(HttpClient);

  list(filter: AuditFilter, cursor: string | null = null, limit = DEFAULT_PAGE_SIZE): Observable<AuditPageDto> {
    let params = new HttpParams().set('limit', limit);
    for (const key of ['actorId', 'action', 'from', 'to'] as const) {
      const value = filter[key];
      if (value) params = params.set(key, value);
    }
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<AuditPageDto>(AUDIT_URL, { params });
  }
}
