import { CdkConnectedOverlay, CdkOverlayOrigin, type ConnectedPosition } from '@angular/cdk/overlay';
import { ChangeDetectionStrategy, Component, computed, ElementRef, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NavigationStart, Router, RouterLink } from '@angular/router';
import { awaitsAcknowledgement, type NotificationDto, viewOf } from '@clinic/contracts';
import { filter, map } from 'rxjs';

import { DesktopNotifications } from '../alerts/desktop-notifications';
import { NotificationService } from '../state/notification-service';
import { ROW_LABELS } from './notification-labels';
import { NotificationListItem } from './notification-list-item';
import { SeenOnScreen } from './seen-on-screen';

export const DROPDOWN_SIZE = 5;
/** The dropdown's width on a wide screen (24rem), and its distance from the screen's edges on a narrow one. */
const DROPDOWN_WIDTH_PX = 384;
const SCREEN_MARGIN_PX = 8;

/**
 * The header bell: unread badge, and a dropdown (a CDK connected overlay) with the newest
 * notifications; those awaiting acknowledgement can be acknowledged there. The rows of the open
 * dropdown count as seen.
 */
@Component({
  selector: 'app-notification-bell',
  imports: [RouterLink, NotificationListItem, SeenOnScreen, CdkConnectedOverlay, CdkOverlayOrigin],
  templateUrl: './notification-bell.html',
  styleUrl: './notification-bell.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationBell {
  private readonly notifications = inject(NotificationService);
  private readonly desktop = inject(DesktopNotifications);
  private readonly trigger = viewChild.required<ElementRef<HTMLButtonElement>>('trigger');

  protected readonly isOpen = signal(false);
  /** Under the bell, reaching a little past its right edge, kept 8 px inside the screen (`placeUnderBell`). */
  protected readonly positions = signal<ConnectedPosition[]>([]);
  protected readonly width = signal(DROPDOWN_WIDTH_PX);
  protected readonly canAskDesktop = toSignal(this.desktop.canAsk$, { requireSync: true });
  protected readonly unreadCount = toSignal(this.notifications.unreadCount$, { initialValue: 0 });
  /** The newest in the inbox: archived and snoozed ones wait out of sight, here too. */
  protected readonly newest = toSignal(this.notifications.notifications$.pipe(map((list) => inInbox(list).slice(0, DROPDOWN_SIZE))), {
    initialValue: [],
  });
  protected readonly loadStatus = toSignal(this.notifications.loadStatus$, { initialValue: 'idle' });
  protected readonly badge = computed(() => (this.unreadCount() > 99 ? '99+' : String(this.unreadCount())));
  protected readonly awaitsAcknowledgement = awaitsAcknowledgement;
  protected readonly rowLabels = ROW_LABELS;
  protected readonly label = computed(() =>
    this.unreadCount() === 0
      ? $localize`:@@bell.label:Notifications`
      : $localize`:@@bell.labelUnread:Notifications, ${this.unreadCount()}:COUNT: unread`,
  );

  constructor() {
    inject(Router)
      .events.pipe(
        filter((event) => event instanceof NavigationStart),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.isOpen.set(false));
  }

  protected toggle(): void {
    if (!this.isOpen()) this.placeUnderBell();
    this.isOpen.update((open) => !open);
  }

  /**
   * Right edge 64 px past the bell's, as far as the screen allows, and the left edge never off
   * it: on a phone the dropdown spans the screen but 8 px each side. Measured at each opening,
   * as the bell moves with the header's layout.
   */
  private placeUnderBell(): void {
    const bell = this.trigger().nativeElement.getBoundingClientRect();
    // Without the scrollbar: what is seen of the page.
    const viewport = this.trigger().nativeElement.ownerDocument.documentElement.clientWidth;
    const width = Math.min(DROPDOWN_WIDTH_PX, viewport - 2 * SCREEN_MARGIN_PX);
    this.width.set(width);
    const right = Math.max(width + SCREEN_MARGIN_PX, Math.min(bell.right + 64, viewport - SCREEN_MARGIN_PX));
    this.positions.set([{ originX: 'end', originY: 'bottom', overlayX: 'end', overlayY: 'top', offsetX: right - bell.right, offsetY: 8 }]);
  }

  protected close(): void {
    if (!this.isOpen()) return;
    this.isOpen.set(false);
    this.trigger().nativeElement.focus();
  }

  /** A click outside the dropdown; one on the bell is its own toggle. */
  protected closeWhenOutside(event: MouseEvent): void {
    if (!this.trigger().nativeElement.contains(event.target as Node | null)) this.isOpen.set(false);
  }

  protected openNotification(notification: NotificationDto): void {
    this.isOpen.set(false);
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

  protected enableDesktopNotifications(): void {
    void this.desktop.requestPermission();
  }
}

function inInbox(list: readonly NotificationDto[]): NotificationDto[] {
  const now = Date.now();
  return list.filter((notification) => viewOf(notification, now) === 'inbox');
}
