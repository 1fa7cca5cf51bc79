import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  ElementRef,
  inject,
  Injector,
  input,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { awaitsAcknowledgement, type NotificationDto, viewOf } from '@clinic/contracts';

import { Clock } from '../../common/clock';

import { NotificationService } from '../state/notification-service';
import { NotificationListItem } from './notification-list-item';
import { SeenOnScreen } from './seen-on-screen';
import { LoadMoreButton } from '../../common/load-more-button';

/** The tabs of the inbox page (`?view=`), as the contract's views. */
export const INBOX_TABS = [
  { view: 'inbox', label: 'Inbox' },
  { view: 'snoozed', label: 'Snoozed' },
  { view: 'archived', label: 'Archived' },
] as const;
type InboxTab = (typeof INBOX_TABS)[number]['view'];

/**
 * The inbox: the notifications of one view (inbox, snoozed, archived: `?view=`), newest first,
 * with an unread filter (`?filter=unread`). Rows in the viewport count as seen; those awaiting
 * acknowledgement can be acknowledged here, and cannot be archived, snoozed or deleted. A snoozed
 * one is back in the inbox once its time has passed, by this device's clock too.
 */
@Component({
  selector: 'app-notifications-page',
  imports: [RouterLink, LoadMoreButton, NotificationListItem, SeenOnScreen],
  templateUrl: './notifications-page.html',
  styleUrl: './notifications-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationsPage {
  private readonly notifications = inject(NotificationService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);

  /** Bound from the `filter` query parameter. */
  readonly filter = input<string>();
  /** Bound from the `view` query parameter. */
  readonly view = input<string>();

  private readonly clock = toSignal(inject(Clock).now$, { requireSync: true });
  protected readonly tabs = INBOX_TABS;
  protected readonly tab = computed<InboxTab>(() => INBOX_TABS.find((tab) => tab.view === this.view())?.view ?? 'inbox');

  protected readonly all = toSignal(this.notifications.notifications$, { initialValue: [] });
  protected readonly unreadCount = toSignal(this.notifications.unreadCount$, { initialValue: 0 });
  protected readonly hasMore = toSignal(this.notifications.hasMore$, { initialValue: false });
  protected readonly loadingMore = toSignal(this.notifications.loadingMore$, { initialValue: false });
  protected readonly loadStatus = toSignal(this.notifications.loadStatus$, { initialValue: 'idle' });

  protected readonly awaitsAcknowledgement = awaitsAcknowledgement;
  protected readonly unreadOnly = computed(() => this.filter() === 'unread');
  protected readonly visible = computed(() => {
    // Re-evaluated as the clock ticks and whenever the list changes (a reminder among them); the
    // view is decided at this moment, not at the last tick.
    this.clock();
    const now = Date.now();
    return this.all().filter((notification) => viewOf(notification, now) === this.tab() && (!this.unreadOnly() || !notification.readAt));
  });
  /** With the filter on, older pages are worth fetching only while unread ones are still missing. */
  protected readonly canLoadMore = computed(
    () => this.hasMore() && (!this.unreadOnly() || this.visible().length < this.unreadCount()),
  );

  protected open(notification: NotificationDto): void {
    this.notifications.open(notification);
  }

  protected markAsRead(notification: NotificationDto): void {
    void this.notifications.markAsRead(notification.id);
  }

  protected acknowledge(notification: NotificationDto): void {
    void this.notifications.acknowledge(notification.id);
  }

  protected markAsUnread(notification: NotificationDto): void {
    void this.notifications.markAsUnread(notification.id);
  }

  protected archive(notification: NotificationDto): void {
    void this.notifications.archive(notification.id);
  }

  protected unarchive(notification: NotificationDto): void {
    void this.notifications.unarchive(notification.id);
  }

  /** Until an hour from now, or tomorrow at 08:00 by this device's clock. */
  protected snooze(notification: NotificationDto, until: 'hour' | 'tomorrow'): void {
    const at = new Date();
    if (until === 'hour') {
      at.setHours(at.getHours() + 1);
    } else {
      at.setDate(at.getDate() + 1);
      at.setHours(8, 0, 0, 0);
    }
    void this.notifications.snooze(notification.id, at.toISOString());
  }

  /** A time the user picked (`datetime-local`, this device's time zone). */
  protected snoozeUntil(notification: NotificationDto, local: string): void {
    const at = new Date(local);
    if (!Number.isNaN(at.getTime()) && at.getTime() > Date.now()) void this.notifications.snooze(notification.id, at.toISOString());
  }

  protected unsnooze(notification: NotificationDto): void {
    void this.notifications.unsnooze(notification.id);
  }

  protected markAllAsRead(): void {
    void this.notifications.markAllAsRead();
  }

  protected delete(notification: NotificationDto, index: number): void {
    void this.notifications.delete(notification.id);
    // Focus moves to the next notification (or the previous, at the end), not to the page's start.
    afterNextRender(
      () => {
        const rows = this.host.nativeElement.querySelectorAll<HTMLElement>('.inbox .note-open');
        (rows[Math.min(index, rows.length - 1)] ?? this.host.nativeElement.querySelector('h1'))?.focus();
      },
      { injector: this.injector },
    );
  }

  protected loadMore(): void {
    void this.notifications.loadMore();
  }
}
