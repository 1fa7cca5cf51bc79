import type { NotificationDto } from '@clinic/contracts';

import { appLanguage } from '../../core/language';

/** The notifications of one day, by this device's calendar. */
export interface DayGroup {
  /** `YYYY-MM-DD`, local. */
  readonly day: string;
  /** Unique in the list: the day, and a count when the day comes again (seq and clock times can disagree around midnight). */
  readonly key: string;
  /** "Today", "Yesterday", or the date ("Monday, 30 November"; with the year when it is not this one). */
  readonly label: string;
  readonly notifications: readonly NotificationDto[];
}

/**
 * Splits a newest-first list into days, by creation time on this device's calendar, keeping the
 * order. Each day's heading is the words a reader would use.
 */
export function dayGroups(notifications: readonly NotificationDto[], now: Date, locale: string = appLanguage()): DayGroup[] {
  const today = localDay(now);
  const yesterday = localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
  const thisYear = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long' });
  const otherYear = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const groups: Array<{ day: string; key: string; label: string; notifications: NotificationDto[] }> = [];
  const seen = new Map<string, number>();
  for (const notification of notifications) {
    const created = new Date(notification.createdAt);
    const day = localDay(created);
    let group = groups.at(-1);
    if (group?.day !== day) {
      const label =
        day === today
          ? $localize`:@@inbox.today:Today`
          : day === yesterday
            ? $localize`:@@inbox.yesterday:Yesterday`
            : (created.getFullYear() === now.getFullYear() ? thisYear : otherYear).format(created);
      const repeat = seen.get(day) ?? 0;
      seen.set(day, repeat + 1);
      group = { day, key: repeat ? `${day}-${repeat}` : day, label, notifications: [] };
      groups.push(group);
    }
    group.notifications.push(notification);
  }
  return groups;
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}
