import { inject, Injectable } from '@angular/core';
import type { NotificationDto, NotificationPreferenceDto, NotificationType } from '@clinic/contracts';
import { BehaviorSubject, Observable, tap } from 'rxjs';

import { NotificationApi } from './notification-api';

/**
 * The signed-in user's muted types. A muted type is still listed and counted but gives no toast
 * or desktop notification; CRITICAL notifications always do.
 */
@Injectable({ providedIn: 'root' })
export class NotificationPreferences {
  private readonly api = inject(NotificationApi);
  private readonly muted = new BehaviorSubject<ReadonlySet<NotificationType>>(new Set());

  readonly mutedTypes$: Observable<ReadonlySet<NotificationType>> = this.muted.asObservable();

  load(): Observable<NotificationPreferenceDto[]> {
    return this.api.preferences().pipe(tap((preferences) => this.remember(preferences)));
  }

  save(changes: NotificationPreferenceDto[]): Observable<NotificationPreferenceDto[]> {
    return this.api.updatePreferences(changes).pipe(tap((preferences) => this.remember(preferences)));
  }

  /** Whether to keep quiet about a notification that was found by a refetch rather than pushed. */
  isMuted(notification: NotificationDto): boolean {
    return notification.priority !== 'CRITICAL' && this.muted.value.has(notification.type);
  }

  reset(): void {
    this.muted.next(new Set());
  }

  private remember(preferences: NotificationPreferenceDto[]): void {
    this.muted.next(new Set(preferences.filter((preference) => preference.muted).map((preference) => preference.type)));
  }
}
