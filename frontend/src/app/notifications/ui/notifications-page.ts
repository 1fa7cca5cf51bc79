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
import { awaitsAcknowledgement, type NotificationDto } from '@clinic/contracts';

import { NotificationService } from '../state/notification-service';
import { NotificationListItem } from './notification-list-item';
import { SeenOnScreen } from './seen-on-screen';
import { LoadMoreButton } from '../../common/load-more-button';

/**
 * The inbox: every notification, newest first, with an unread filter (`?filter=unread`). Rows in
 * the viewport count as seen; those awaiting acknowledgement can be acknowledged here.
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

  protected readonly all = toSignal(this.notifications.notifications$, { initialValue: [] });
  protected readonly unreadCount = toSignal(this.notifications.unreadCount$, { initialValue: 0 });
  protected readonly hasMore = toSignal(this.notifications.hasMore$, { initialValue: false });
  protected readonly loadingMore = toSignal(this.notifications.loadingMore$, { initialValue: false });
  protected readonly loadStatus = toSignal(this.notifications.loadStatus$, { initialValue: 'idle' });

  protected readonly awaitsAcknowledgement = awaitsAcknowledgement;
  protected readonly unreadOnly = computed(() => this.filter() === 'unread');
  protected readonly visible = computed(() =>
    this.unreadOnly() ? this.all().filter((notification) => !notification.readAt) : this.all(),
  );
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
