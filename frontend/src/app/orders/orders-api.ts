import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import {
  ChangeOrderStatusRequest,
  CreateOrderRequest,
  DEFAULT_PAGE_SIZE,
  IDEMPOTENCY_KEY_HEADER,
  OrderDto,
  OrderPageDto,
  OrderStatus,
} from '@clinic/contracts';
import { Observable } from 'rxjs';

import { ORDERS_URL } from '../core/api-paths';

@Injectable({ providedIn: 'root' })
export class OrdersApi {
  private readonly http = inject(HttpClient);

  list(cursor: string | null, limit = DEFAULT_PAGE_SIZE): Observable<OrderPageDto> {
    let params = new HttpParams().set('limit', limit);
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<OrderPageDto>(ORDERS_URL, { params });
  }

  create(request: CreateOrderRequest, idempotencyKey: string): Observable<OrderDto> {
    return this.http.post<OrderDto>(ORDERS_URL, request, { headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } });
  }

  get(id: string): Observable<OrderDto> {
    return this.http.get<OrderDto>(`${ORDERS_URL}/${encodeURIComponent(id)}`);
  }

  changeStatus(id: string, status: OrderStatus): Observable<OrderDto> {
    const body: ChangeOrderStatusRequest = { status };
    return this.http.patch<OrderDto>(`${ORDERS_URL}/${encodeURIComponent(id)}/status`, body);
  }

  verifyPayment(id: string): Observable<OrderDto> {
    return this.http.post<OrderDto>(`${ORDERS_URL}/${encodeURIComponent(id)}/payment`, null);
  }
}
