import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { DEFAULT_PAGE_SIZE, DeliveryDto, DeliveryPageDto, DeliveryStatus } from '@clinic/contracts';
import { Observable } from 'rxjs';

import { DELIVERIES_URL } from '../core/api-paths';

/** Email and SMS deliveries (admins): the list, and another try for a failed one. */
@Injectable({ providedIn: 'root' })
export class DeliveriesApi {
  private readonly http = inject(HttpClient);

  /** Newest first; every status when `status` is null. */
  list(status: DeliveryStatus | null, cursor: string | null = null, limit = DEFAULT_PAGE_SIZE): Observable<DeliveryPageDto> {
    let params = new HttpParams().set('limit', limit);
    if (status) params = params.set('status', status);
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<DeliveryPageDto>(DELIVERIES_URL, { params });
  }

  /** Queues a failed delivery again and answers it as now queued; 409 when it is no longer failed. */
  retry(deliveryId: string): Observable<DeliveryDto> {
    return this.http.post<DeliveryDto>(`${DELIVERIES_URL}/${encodeURIComponent(deliveryId)}/retry`, null);
  }
}
