// Notification preferences: per type and channel, quiet hours, the daily digest, desktop privacy
// (docs/rest-api.md, "Preferences"). The rules here decide for the server (email, SMS, the
// `muted` flag) and for the Angular app (toast, desktop, sound) alike. Re-exported by index.ts.
import { isMuted, type NotificationPriority, type NotificationType } from './index';
import type { Language } from './language';

/** Every way a notification can reach someone, in the order the preferences grid shows them. */
export const PREFERENCE_CHANNELS = ['inApp', 'desktop', 'sound', 'email', 'sms'] as const;
export type PreferenceChannel = (typeof PREFERENCE_CHANNELS)[number];
export type ChannelSwitches = Record<PreferenceChannel, boolean>;

/** What a type the user never changed gets: every channel on (the priority still decides which are used). */
export const DEFAULT_CHANNELS: Readonly<ChannelSwitches> = { inApp: true, desktop: true, sound: true, email: true, sms: true };

/** A time of day on the user's clock, "HH:MM" (24 h). */
export const CLOCK_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * One type's switches. `muted` is `!channels.inApp`, kept for clients of the first release.
 * Whether a switched-on channel is used depends on the notification (see reachesBy).
 */
export interface NotificationPreferenceDto {
  type: NotificationType;
  muted: boolean;
  channels: ChannelSwitches;
}

/**
 * PUT /notifications/preferences: the listed types change, the others stay as they are; in each,
 * the channels given change (`muted: true` is `channels.inApp: false`), the others stay.
 */
export interface PreferenceChange {
  type: NotificationType;
  muted?: boolean;
  channels?: Partial<ChannelSwitches>;
}
export interface UpdatePreferencesRequest {
  preferences: PreferenceChange[];
}

/** From `start` to `end` on the user's clock; over midnight when `end` is before `start` ("22:00"–"07:00"). */
export interface QuietHours {
  start: string;
  end: string;
}

/** GET /notifications/settings: the signed-in user's own, for every type alike. */
export interface NotificationSettingsDto {
  /** An IANA time zone ("Europe/Zurich"): quiet hours and the digest follow it. */
  timeZone: string;
  /** No email, SMS or sound then, except for CRITICAL notifications; null: none. */
  quietHours: QuietHours | null;
  /** When the daily digest of what is unread is mailed ("HH:MM" on the user's clock); null: no digest. */
  digestTime: string | null;
  /** Desktop notifications say only that something arrived, not its title or message. */
  hideDetails: boolean;
  /** E.164, for SMS; null: no SMS. */
  phone: string | null;
  /** The user's language (contracts/language.ts): the app, templated notifications and mail. */
  language: Language;
}

/** PUT /notifications/settings: the fields given change (null clears quietHours, digestTime, phone). */
export type UpdateNotificationSettingsRequest = Partial<NotificationSettingsDto>;

/** The date ("2026-12-01") and minutes since midnight at `at` on a clock in `timeZone`. */
export function localClock(timeZone: string, at: Date): { date: string; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '00';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

/** "HH:MM" → minutes since midnight. */
export function clockMinutes(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** Whether `at` falls in the user's quiet hours (start included, end excluded). */
export function isQuietTime(settings: Pick<NotificationSettingsDto, 'timeZone' | 'quietHours'>, at: Date): boolean {
  if (!settings.quietHours) return false;
  const now = localClock(settings.timeZone, at).minutes;
  const start = clockMinutes(settings.quietHours.start);
  const end = clockMinutes(settings.quietHours.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * Whether a notification may reach its recipient on `channel`, given the switches of its type
 * and whether it is quiet time for them:
 * - In the app: see isMuted (CRITICAL always shows).
 * - Desktop: with the in-app toast only, and its own switch.
 * - Sound: with the in-app toast only, its switch, and not in quiet hours unless CRITICAL.
 * - Email and SMS: their switch, and not in quiet hours unless CRITICAL.
 * Whether email and SMS are used at all is the priority's rule (docs/rest-api.md, "Email and
 * SMS"); the device's own sound settings come on top.
 */
export function reachesBy(channel: PreferenceChannel, priority: NotificationPriority, switches: ChannelSwitches, quiet: boolean): boolean {
  const inApp = !isMuted(!switches.inApp, priority);
  const allowedNow = priority === 'CRITICAL' || !quiet;
  switch (channel) {
    case 'inApp':
      return inApp;
    case 'desktop':
      return inApp && switches.desktop;
    case 'sound':
      return inApp && switches.sound && allowedNow;
    case 'email':
    case 'sms':
      return switches[channel] && allowedNow;
  }
}
