import { CdkMenu, CdkMenuItem, CdkMenuTrigger } from '@angular/cdk/menu';
import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  Injector,
  input,
  linkedSignal,
  LOCALE_ID,
  PendingTasks,
  signal,
  untracked,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import {
  awaitsAcknowledgement,
  matchesFilter,
  MAX_SEARCH_LENGTH,
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  type NotificationDto,
  type NotificationFilter,
  type StateChange,
} from '@clinic/contracts';

import { Clock } from '../../common/clock';
import { LoadMoreButton } from '../../common/load-more-button';
import { NotificationService } from '../state/notification-service';
import { dayGroups } from './day-groups';
import { PRIORITY_LABELS, ROW_LABELS, TYPE_LABELS } from './notification-labels';
import { NotificationListItem } from './notification-list-item';
import { SeenOnScreen } from './seen-on-screen';

/** The tabs of the inbox page (`?view=`), as the contract's views. */
export const INBOX_TABS = [
  { view: 'inbox', label: $localize`:@@inbox.tabInbox:Inbox` },
  { view: 'snoozed', label: $localize`:@@inbox.tabSnoozed:Snoozed` },
  { view: 'archived', label: $localize`:@@inbox.tabArchived:Archived` },
] as const;
type InboxTab = (typeof INBOX_TABS)[number]['view'];

/** The search field waits this long after the last key before it narrows the list (and the URL). */
export const SEARCH_DELAY_MS = 250;

/**
 * The inbox: the notifications of one view (inbox, snoozed, archived: `?view=`), newest first and
 * grouped by day, narrowed by `?filter=unread`, `?type=`, `?priority=` and `?q=` (search), as the
 * contract's `matchesFilter` decides on what this tab holds; "Load more" reads older pages until
 * it finds more that match. Rows in the viewport count as seen. Rows can be selected for one
 * change to all of them. Those awaiting acknowledgement can be acknowledged here, and cannot be
 * archived, snoozed or deleted. A snoozed one is back in the inbox once its time has passed, by
 * this device's clock too.
 */
@Component({
  selector: 'app-notifications-page',
  imports: [RouterLink, LoadMoreButton, NotificationListItem, SeenOnScreen, CdkMenu, CdkMenuItem, CdkMenuTrigger],
  templateUrl: './notifications-page.html',
  styleUrl: './notifications-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationsPage {
  private readonly notifications = inject(NotificationService);
  private readonly router = inject(Router);
  private readonly pendingTasks = inject(PendingTasks);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);
  private readonly locale = inject(LOCALE_ID);

  /** Bound from the query: `filter=unread`, `view`, `type`, `priority` (comma-separated) and `q`. */
  readonly filter = input<string>();
  readonly view = input<string>();
  readonly type = input<string>();
  readonly priority = input<string>();
  readonly q = input<string>();

  private readonly clock = toSignal(inject(Clock).now$, { requireSync: true });
  protected readonly tabs = INBOX_TABS;
  protected readonly types = NOTIFICATION_TYPES;
  protected readonly priorities = NOTIFICATION_PRIORITIES;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly priorityLabels = PRIORITY_LABELS;
  protected readonly rowLabels = ROW_LABELS;
  protected readonly maxSearchLength = MAX_SEARCH_LENGTH;
  protected readonly loadMoreLabel = $localize`:@@common.loadMore:Load more`;
  protected readonly searchOlderLabel = $localize`:@@inbox.searchOlder:Search older notifications`;
  protected readonly tab = computed<InboxTab>(() => INBOX_TABS.find((tab) => tab.view === this.view())?.view ?? 'inbox');

  protected readonly all = toSignal(this.notifications.notifications$, { initialValue: [] });
  protected readonly unreadCount = toSignal(this.notifications.unreadCount$, { initialValue: 0 });
  protected readonly hasMore = toSignal(this.notifications.hasMore$, { initialValue: false });
  protected readonly loadingMore = toSignal(this.notifications.loadingMore$, { initialValue: false });
  protected readonly loadStatus = toSignal(this.notifications.loadStatus$, { initialValue: 'idle' });

  protected readonly awaitsAcknowledgement = awaitsAcknowledgement;
  protected readonly unreadOnly = computed(() => this.filter() === 'unread');
  protected readonly selectedType = computed(() => oneOf(this.type(), NOTIFICATION_TYPES));
  protected readonly selectedPriority = computed(() => oneOf(this.priority(), NOTIFICATION_PRIORITIES));
  /**
   * What the search field shows: what is typed, and the URL's `q` when that changes from outside
   * (a link, back). The URL following the typing (trimmed) does not write into the field.
   */
  protected readonly searchText = linkedSignal<string | undefined, string>({
    source: this.q,
    computation: (q, previous) => (previous && previous.value.trim() === (q ?? '') ? previous.value : (q ?? '')),
  });
  /** A type, a priority or words narrow the list (beyond the view and the unread filter). */
  protected readonly narrowed = computed(() => !!(this.selectedType() || this.selectedPriority() || this.q()?.trim()));
  private readonly listFilter = computed<NotificationFilter>(() => {
    const type = this.selectedType();
    const priority = this.selectedPriority();
    return { view: this.tab(), unread: this.unreadOnly(), types: type ? [type] : [], priorities: priority ? [priority] : [], q: this.q() };
  });
  protected readonly visible = computed(() => {
    // Re-evaluated as the clock ticks and whenever the list changes (a reminder among them); the
    // view is decided at this moment, not at the last tick.
    this.clock();
    const now = Date.now();
    const filter = this.listFilter();
    return this.all().filter((notification) => matchesFilter(notification, filter, now));
  });
  protected readonly groups = computed(() => dayGroups(this.visible(), new Date(this.clock()), this.locale));
  /** Said once per change of the filters, not at every arrival. */
  protected readonly matchCount = computed(() => {
    this.listFilter();
    return untracked(() => this.visible().length);
  });
  /**
   * Older pages are worth fetching while there are any; with only the unread filter, while
   * unread ones are still missing from the inbox.
   */
  protected readonly canLoadMore = computed(
    () =>
      this.hasMore() &&
      (this.narrowed() || !this.unreadOnly() || this.tab() !== 'inbox' || this.visible().length < this.unreadCount()),
  );

  /** The rows picked for one change to all; only those still shown count. */
  private readonly picked = signal<ReadonlySet<string>>(new Set());
  protected readonly selected = computed(() => this.visible().filter((notification) => this.picked().has(notification.id)));
  protected readonly allSelected = computed(() => this.visible().length > 0 && this.selected().length === this.visible().length);

  private searchTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      if (this.searchTimer) clearTimeout(this.searchTimer);
    });
  }

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
    this.keepFocusWhenRowLeaves(notification, () => void this.notifications.archive(notification.id));
  }

  protected unarchive(notification: NotificationDto): void {
    this.keepFocusWhenRowLeaves(notification, () => void this.notifications.unarchive(notification.id));
  }

  /** Until an hour from now, or tomorrow at 08:00 by this device's clock. */
  protected snooze(notification: NotificationDto, until: 'hour' | 'tomorrow'): void {
    this.keepFocusWhenRowLeaves(notification, () => void this.notifications.snooze(notification.id, snoozeEnd(until)));
  }

  /** Asks for a time (this device's time zone) in a dialog, then snoozes until then. */
  protected chooseSnoozeTime(notification: NotificationDto, trigger: HTMLElement): void {
    // The dialog and CDK's dialog code are imported on first use, not with the inbox. A pending
    // task meanwhile, so the app counts as busy until it is open.
    void this.pendingTasks.run(async () => {
      const { openSnoozeTimeDialog } = await import('./snooze-time-dialog');
      // The menu item that opened it is gone by then: focus goes back to the row's Snooze button.
      openSnoozeTimeDialog(this.injector, { title: notification.title }, trigger).subscribe((until) => {
        if (until) this.keepFocusWhenRowLeaves(notification, () => void this.notifications.snooze(notification.id, until));
      });
    });
  }

  protected unsnooze(notification: NotificationDto): void {
    this.keepFocusWhenRowLeaves(notification, () => void this.notifications.unsnooze(notification.id));
  }

  protected markAllAsRead(): void {
    void this.notifications.markAllAsRead();
  }

  protected delete(notification: NotificationDto): void {
    this.keepFocusWhenRowLeaves(notification, () => this.notifications.delete([notification.id]));
  }

  protected loadMore(): void {
    const filter = this.listFilter();
    void this.notifications.loadMore(this.narrowed() ? (notification) => matchesFilter(notification, filter, Date.now()) : undefined);
  }

  // ---- filters and search ----------------------------------------------------------------------

  protected typed(text: string): void {
    this.searchText.set(text);
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.narrow({ q: text.trim() || null }), SEARCH_DELAY_MS);
  }

  protected pickType(type: string): void {
    this.narrow({ type: type || null });
  }

  protected pickPriority(priority: string): void {
    this.narrow({ priority: priority || null });
  }

  protected clearFilters(): void {
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchText.set('');
    this.narrow({ type: null, priority: null, q: null });
  }

  // ---- selection -------------------------------------------------------------------------------

  protected isSelected(notification: NotificationDto): boolean {
    return this.picked().has(notification.id);
  }

  protected toggleSelected(notification: NotificationDto, on: boolean): void {
    this.picked.update((ids) => {
      const next = new Set(this.shownOnly(ids));
      if (on) next.add(notification.id);
      else next.delete(notification.id);
      return next;
    });
  }

  protected toggleAll(on: boolean): void {
    this.picked.set(new Set(on ? this.visible().map((notification) => notification.id) : []));
  }

  protected bulk(change: StateChange): void {
    const ids = this.selected().map((notification) => notification.id);
    this.picked.set(new Set());
    void this.notifications.bulk(change, ids, change === 'snooze' ? snoozeEnd('hour') : undefined);
  }

  /** Alerts awaiting acknowledgement among them stay (the bar says so before). */
  protected bulkDelete(): void {
    const ids = this.selected().map((notification) => notification.id);
    this.picked.set(new Set());
    this.notifications.delete(ids);
  }

  /** How many of the selection await acknowledgement (they are kept by archive, snooze and delete). */
  protected readonly selectedAwaiting = computed(() => this.selected().filter(awaitsAcknowledgement).length);

  private shownOnly(ids: ReadonlySet<string>): string[] {
    const shown = new Set(this.visible().map((notification) => notification.id));
    return [...ids].filter((id) => shown.has(id));
  }

  private narrow(params: Record<string, string | null>): void {
    this.picked.set(new Set());
    void this.router.navigate([], { queryParams: params, queryParamsHandling: 'merge', replaceUrl: true });
  }

  /**
   * Runs `change`, which may take the row out of this view (delete, archive, snooze): focus then
   * moves to the next notification (or the previous, at the end), not to the page's start.
   */
  private keepFocusWhenRowLeaves(notification: NotificationDto, change: () => void): void {
    const index = this.rowButtons().findIndex((row) => row.dataset['id'] === notification.id);
    const hadFocus = this.host.nativeElement.contains(this.host.nativeElement.ownerDocument.activeElement);
    change();
    afterNextRender(
      () => {
        const rows = this.rowButtons();
        if (index === -1 || rows[index]?.dataset['id'] === notification.id) return; // still shown
        const focused = this.host.nativeElement.ownerDocument.activeElement;
        if (!hadFocus && focused !== this.host.nativeElement.ownerDocument.body) return;
        (rows[Math.min(index, rows.length - 1)] ?? this.host.nativeElement.querySelector('h1'))?.focus();
      },
      { injector: this.injector },
    );
  }

  private rowButtons(): HTMLElement[] {
    return [...this.host.nativeElement.querySelectorAll<HTMLElement>('.inbox .note-open')];
  }
}

/** The query's value when it is one of `allowed`. */
function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | null {
  return allowed.includes(value as T) ? (value as T) : null;
}

function snoozeEnd(until: 'hour' | 'tomorrow'): string {
  const at = new Date();
  if (until === 'hour') {
    at.setHours(at.getHours() + 1);
  } else {
    at.setDate(at.getDate() + 1);
    at.setHours(8, 0, 0, 0);
  }
  return at.toISOString();
}
