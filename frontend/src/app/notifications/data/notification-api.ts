import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import {
  BulkActionRequest,
  BulkActionResult,
  IDEMPOTENCY_KEY_HEADER,
  MarkAllReadResult,
  NotificationDto,
  NotificationPageDto,
  NotificationPreferenceDto,
  NotificationSettingsDto,
  PreferenceChange,
  SeenRequest,
  SeenResult,
  SendNotificationRequest,
  SnoozeRequest,
  StateChange,
  SendNotificationResult,
  UnreadCountDto,
  UpdateNotificationSettingsRequest,
  UpdatePreferencesRequest,
} from '@clinic/contracts';
import { Observable } from 'rxjs';

import { NOTIFICATIONS_URL } from '../../core/api-paths';

export interface ListOptions {
  cursor?: string | null;
  limit?: number;
}

/** The triage changes of one notification beyond reading it (which has a route of its own). */
export type TriageChange = Exclude<StateChange, 'read'>;

/** The notification REST routes, typed by the shared contract. */
@Injectable({ providedIn: 'root' })
export class NotificationApi {
  private readonly http = inject(HttpClient);

  list({ cursor, limit }: ListOptions = {}): Observable<NotificationPageDto> {
    let params = new HttpParams();
    if (cursor) params = params.set('cursor', cursor);
    if (limit) params = params.set('limit', limit);
    return this.http.get<NotificationPageDto>(NOTIFICATIONS_URL, { params });
  }

  unreadCount(): Observable<UnreadCountDto> {
    return this.http.get<UnreadCountDto>(`${NOTIFICATIONS_URL}/unread-count`);
  }

  markRead(id: string): Observable<NotificationDto> {
    return this.http.patch<NotificationDto>(`${NOTIFICATIONS_URL}/${encodeURIComponent(id)}/read`, null);
  }

  /** Triage of one (contracts/triage.ts): unread, archive, unarchive, snooze until a time, unsnooze. */
  triage(id: string, change: TriageChange, until?: string): Observable<NotificationDto> {
    const body: SnoozeRequest | null = change === 'snooze' && until ? { until } : null;
    return this.http.patch<NotificationDto>(`${NOTIFICATIONS_URL}/${encodeURIComponent(id)}/${change}`, body);
  }

  /** Acknowledges it (and marks it read); every device of the user hears of it. */
  acknowledge(id: string): Observable<NotificationDto> {
    return this.http.post<NotificationDto>(`${NOTIFICATIONS_URL}/${encodeURIComponent(id)}/ack`, null);
  }

  /** These were shown on screen: sets their `seenAt` once. */
  markSeen(ids: string[]): Observable<SeenResult> {
    const body: SeenRequest = { ids };
    return this.http.post<SeenResult>(`${NOTIFICATIONS_URL}/seen`, body);
  }

  markAllRead(): Observable<MarkAllReadResult> {
    return this.http.patch<MarkAllReadResult>(`${NOTIFICATIONS_URL}/read-all`, null);
  }

  /** One change for several; `keepalive` lets it finish while the page is closing. */
  bulk(request: BulkActionRequest, keepalive = false): Observable<BulkActionResult> {
    return this.http.post<BulkActionResult>(`${NOTIFICATIONS_URL}/bulk`, request, { keepalive });
  }

  preferences(): Observable<NotificationPreferenceDto[]> {
    return this.http.get<NotificationPreferenceDto[]>(`${NOTIFICATIONS_URL}/preferences`);
  }

  updatePreferences(preferences: PreferenceChange[]): Observable<NotificationPreferenceDto[]> {
    const body: UpdatePreferencesRequest = { preferences };
    return this.http.put<NotificationPreferenceDto[]>(`${NOTIFICATIONS_URL}/preferences`, body);
  }

  settings(): Observable<NotificationSettingsDto> {
    return this.http.get<NotificationSettingsDto>(`${NOTIFICATIONS_URL}/settings`);
  }

  updateSettings(changes: UpdateNotificationSettingsRequest): Observable<NotificationSettingsDto> {
    return this.http.put<NotificationSettingsDto>(`${NOTIFICATIONS_URL}/settings`, changes);
  }

  /** Admin only. The key makes a retry of the same submission create nothing new. */
  send(request: SendNotificationRequest, idempotencyKey: string): Observable<SendNotificationResult> {
    return this.http.post<SendNotificationResult>(`${NOTIFICATIONS_URL}/test`, request, {
      headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
    });
  }
}
