import { inject, Injectable, signal } from '@angular/core';
import {
  ChannelSwitches,
  DEFAULT_CHANNELS,
  isQuietTime,
  NotificationDto,
  NotificationPreferenceDto,
  NotificationSettingsDto,
  NotificationType,
  PreferenceChange,
  PreferenceChannel,
  reachesBy,
  UpdateNotificationSettingsRequest,
} from '@clinic/contracts';
import { forkJoin, Observable, tap } from 'rxjs';

import { appLanguage } from '../../core/language';
import { NotificationApi } from '../data/notification-api';

/**
 * What a user has before (or without) their settings loading: nothing quiet, and desktop details
 * hidden, since they may name a patient on a screen others see.
 */
const NO_SETTINGS: NotificationSettingsDto = {
  timeZone: 'UTC',
  quietHours: null,
  digestTime: null,
  hideDetails: true,
  phone: null,
  language: appLanguage(),
};

/**
 * The signed-in user's channel switches per type and their settings, and whether a notification
 * may reach them on a channel now: the contract's reachesBy and isQuietTime, the rule the server
 * applies to email and SMS. Loaded when the session starts; the preferences page saves through it.
 */
@Injectable({ providedIn: 'root' })
export class NotificationPreferences {
  private readonly api = inject(NotificationApi);
  private switches: ReadonlyMap<NotificationType, ChannelSwitches> = new Map();
  private readonly current = signal<NotificationSettingsDto>(NO_SETTINGS);

  /** The settings as last loaded or saved. */
  readonly settings = this.current.asReadonly();

  load(): Observable<{ preferences: NotificationPreferenceDto[]; settings: NotificationSettingsDto }> {
    return forkJoin({ preferences: this.api.preferences(), settings: this.api.settings() }).pipe(
      tap(({ preferences, settings }) => {
        this.remember(preferences);
        this.current.set(settings);
      }),
    );
  }

  save(changes: PreferenceChange[]): Observable<NotificationPreferenceDto[]> {
    return this.api.updatePreferences(changes).pipe(tap((preferences) => this.remember(preferences)));
  }

  saveSettings(changes: UpdateNotificationSettingsRequest): Observable<NotificationSettingsDto> {
    return this.api.updateSettings(changes).pipe(tap((settings) => this.current.set(settings)));
  }

  /** Whether to keep quiet about a notification that was found by a refetch rather than pushed. */
  isMuted(notification: NotificationDto): boolean {
    return !this.reaches('inApp', notification);
  }

  /** Whether the notification may reach the user on this channel now (quiet hours by their clock). */
  reaches(channel: PreferenceChannel, notification: Pick<NotificationDto, 'type' | 'priority'>, now = new Date()): boolean {
    const switches = this.switches.get(notification.type) ?? DEFAULT_CHANNELS;
    return reachesBy(channel, notification.priority, switches, isQuietTime(this.current(), now));
  }

  reset(): void {
    this.switches = new Map();
    this.current.set(NO_SETTINGS);
  }

  private remember(preferences: NotificationPreferenceDto[]): void {
    this.switches = new Map(preferences.map((preference) => [preference.type, preference.channels]));
  }
}
