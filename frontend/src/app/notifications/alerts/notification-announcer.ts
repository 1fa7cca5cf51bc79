import { DOCUMENT } from '@angular/common';
import { inject, Injectable } from '@angular/core';
import { awaitsAcknowledgement, NotificationDto, NotificationPriority, priorityRank } from '@clinic/contracts';
import { Observable, Subject } from 'rxjs';

import { NotificationPreferences } from '../state/notification-preferences';
import { AlertSound } from './alert-sound';
import { DesktopNotifications } from './desktop-notifications';
import { NotificationClaims } from './notification-claims';
import { ToastService } from './toast-service';

/**
 * More new notifications than this at once (catching up after a disconnection) get one summary;
 * those awaiting acknowledgement are never folded into it.
 */
export const SUMMARY_THRESHOLD = 3;

const SUMMARY_TAG = 'clinic-summary';

/** A desktop notification's title when "hide details" is on: one sentence per priority, as each language words it. */
const HIDDEN_TITLES: Readonly<Record<NotificationPriority, string>> = {
  LOW: $localize`:@@toast.hiddenTitleLow:New low notification`,
  NORMAL: $localize`:@@toast.hiddenTitleNormal:New normal notification`,
  HIGH: $localize`:@@toast.hiddenTitleHigh:New high notification`,
  CRITICAL: $localize`:@@toast.hiddenTitleCritical:New critical notification`,
};

/**
 * Tells the user about new notifications: a toast in the tab that claimed each one, a desktop
 * notification too when the user is not looking at that tab (permission granted), and a sound for
 * HIGH and CRITICAL ones (one per batch, the highest priority's). The user's preferences decide
 * desktop and sound per type (quiet hours silence all but CRITICAL), and "hide details" keeps
 * titles and messages off the desktop, where anyone passing may read them. While the app catches up after
 * a reconnection, announcements wait for it, so a backlog gives one summary.
 */
@Injectable({ providedIn: 'root' })
export class NotificationAnnouncer {
  private readonly document = inject(DOCUMENT);
  private readonly toasts = inject(ToastService);
  private readonly desktop = inject(DesktopNotifications);
  private readonly claims = inject(NotificationClaims);
  private readonly sound = inject(AlertSound);
  private readonly preferences = inject(NotificationPreferences);
  private readonly opened = new Subject<NotificationDto | null>();
  /** Bumped by reset(): a claim settled after it is about a session that is over. */
  private session = 0;
  private catchingUp = false;
  private waiting: NotificationDto[] = [];

  /** A desktop notification was clicked: its notification, or null for a summary. */
  readonly opened$: Observable<NotificationDto | null> = this.opened.asObservable();

  /** Holds announcements back until `caughtUp`. */
  catchUp(): void {
    this.catchingUp = true;
  }

  /**
   * The catch-up (or any refetch) is done: announces what waited and what the refetch found, all
   * at once, leaving out what was read or deleted meanwhile.
   */
  caughtUp(found: readonly NotificationDto[], stillUnread: (notification: NotificationDto) => boolean): void {
    const batch = this.catchingUp ? [...this.waiting, ...found] : found;
    this.catchingUp = false;
    this.waiting = [];
    const unread = batch.filter(stillUnread);
    if (unread.length) void this.announce(unread);
  }

  /** Announces one that just arrived, or keeps it for the summary while catching up. */
  arrived(notification: NotificationDto): void {
    if (this.catchingUp) this.waiting.push(notification);
    else void this.announce([notification]);
  }

  /** The notification was acknowledged, read or deleted: nothing left to tell. */
  withdraw(notificationId: string): void {
    this.toasts.dismissNotification(notificationId);
    this.desktop.close(notificationId);
  }

  reset(): void {
    this.session++;
    this.catchingUp = false;
    this.waiting = [];
    this.toasts.clear();
    this.desktop.closeAll();
  }

  private async announce(notifications: readonly NotificationDto[]): Promise<void> {
    const session = this.session;
    const claimed = await this.claimEach(notifications);
    if (claimed.length === 0 || session !== this.session) return;
    const audible = claimed.filter((notification) => this.preferences.reaches('sound', notification));
    if (audible.length) this.sound.play(highestPriority(audible));
    const away = this.document.visibilityState !== 'visible' || !this.document.hasFocus();
    const alsoOnDesktop = (notification: NotificationDto) => away && this.preferences.reaches('desktop', notification);
    const summarised = claimed.filter((notification) => !awaitsAcknowledgement(notification));
    const summary = summarised.length > SUMMARY_THRESHOLD;
    if (summary) {
      // Always more than SUMMARY_THRESHOLD: the plural form only.
      const title = $localize`:@@toast.summaryTitle:${summarised.length}:COUNT: new notifications`;
      const message = $localize`:@@toast.summaryMessage:Open your inbox to see them.`;
      this.toasts.show({ kind: 'summary', title, message, priority: highestPriority(summarised), notification: null });
      if (summarised.some(alsoOnDesktop)) {
        this.desktop.show({ tag: SUMMARY_TAG, title, body: message, sticky: false }, () => this.opened.next(null));
      }
    }
    const oneByOne = summary ? claimed.filter(awaitsAcknowledgement) : claimed;
    for (const notification of oneByOne) {
      this.toasts.show({
        kind: 'notification',
        title: notification.title,
        message: notification.message,
        priority: notification.priority,
        notification,
      });
      if (alsoOnDesktop(notification)) {
        const hidden = this.preferences.settings().hideDetails;
        this.desktop.show(
          {
            tag: notification.id,
            title: hidden ? HIDDEN_TITLES[notification.priority] : notification.title,
            body: hidden ? $localize`:@@toast.hiddenBody:Open Clinic to see it.` : notification.message,
            sticky: awaitsAcknowledgement(notification),
          },
          () => this.opened.next(notification),
        );
      }
    }
  }

  private async claimEach(notifications: readonly NotificationDto[]): Promise<NotificationDto[]> {
    const won = await Promise.all(notifications.map((notification) => this.claims.claim(notification.id)));
    return notifications.filter((_, index) => won[index]);
  }
}

function highestPriority(notifications: readonly NotificationDto[]): NotificationPriority {
  return notifications.reduce<NotificationPriority>(
    (highest, { priority }) => (priorityRank(priority) > priorityRank(highest) ? priority : highest),
    'LOW',
  );
}
