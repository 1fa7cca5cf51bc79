import { inject, Injectable } from '@angular/core';
import { isMuted, NotificationDto, NotificationPreferenceDto, NotificationType, PreferenceChange } from '@clinic/contracts';
import { Observable, tap } from 'rxjs';

import { NotificationApi } from '../data/notification-api';

/**
 * The signed-in user's muted types. A muted type is still listed and counted but gives no toast
 * or desktop notification; CRITICAL notifications always do.
 */
@Injectable({ providedIn: 'root' })
export class NotificationPreferences {
  private readonly api = inject(NotificationApi);
  private muted: ReadonlySet<NotificationType> = new Set();

  load(): Observable<NotificationPreferenceDto[]> {
    return this.api.preferences().pipe(tap((preferences) => this.remember(preferences)));
  }

  save(changes: PreferenceChange[]): Observable<NotificationPreferenceDto[]> {
    return this.api.updatePreferences(changes).pipe(tap((preferences) => this.remember(preferences)));
  }

  /** Whether to keep quiet about a notification that was found by a refetch rather than pushed. */
  isMuted(notification: NotificationDto): boolean {
    return isMuted(this.muted.has(notification.type), notification.priority);
  }

  reset(): void {
    this.muted = new Set();
  }

  private remember(preferences: NotificationPreferenceDto[]): void {
    this.muted = new Set(preferences.filter((preference) => preference.muted).map((preference) => preference.type));
  }
}
