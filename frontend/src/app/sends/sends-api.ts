import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { AlertSettingsDto, DEFAULT_PAGE_SIZE, SendDetailDto, SendPageDto, SendStatus } from '@clinic/contracts';
import { Observable } from 'rxjs';

import { SENDS_URL } from '../core/api-paths';

/** Sends and their receipts: the list for admins, one send for admins, its sender and its escalations' recipients. */
@Injectable({ providedIn: 'root' })
export class SendsApi {
  private readonly http = inject(HttpClient);

  /** Newest first; all statuses when `status` is null. */
  list(status: SendStatus | null, cursor: string | null = null, limit = DEFAULT_PAGE_SIZE): Observable<SendPageDto> {
    let params = new HttpParams().set('limit', limit);
    if (status) params = params.set('status', status);
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<SendPageDto>(SENDS_URL, { params });
  }

  /** 404 for a send that does not exist and for one the user may not see alike. */
  get(sendId: string): Observable<SendDetailDto> {
    return this.http.get<SendDetailDto>(sendUrl(sendId));
  }

  /** The server's escalation settings (admins), for the send form's bounds and hints. */
  settings(): Observable<AlertSettingsDto> {
    return this.http.get<AlertSettingsDto>(`${SENDS_URL}/settings`);
  }

  /** A scheduled send that has not gone out; 409 once it went out or was cancelled. */
  cancel(sendId: string): Observable<void> {
    return this.http.delete<void>(sendUrl(sendId));
  }
}

const sendUrl = (sendId: string) => `${SENDS_URL}/${encodeURIComponent(sendId)}`;
