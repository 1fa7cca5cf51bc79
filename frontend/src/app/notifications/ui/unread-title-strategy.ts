import { DestroyRef, inject, Injectable, Injector } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { RouterStateSnapshot, TitleStrategy } from '@angular/router';
import { BehaviorSubject, combineLatest, Subscription } from 'rxjs';

import { NotificationService } from '../state/notification-service';

/** "(3) Notifications · Clinic": the unread count before the route's title, so a background tab shows it. */
export function titleWithUnread(pageTitle: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${pageTitle}` : pageTitle;
}

/**
 * The router's titles (`title` in app.routes.ts), with the signed-in user's unread count in front
 * while there is one; it follows the count live. A route without a title leaves the page's title
 * as it was.
 */
@Injectable({ providedIn: 'root' })
export class UnreadTitleStrategy extends TitleStrategy {
  private readonly title = inject(Title);
  private readonly injector = inject(Injector);
  private readonly pageTitle = new BehaviorSubject(this.title.getTitle());
  private following: Subscription | null = null;

  constructor() {
    super();
    inject(DestroyRef).onDestroy(() => this.following?.unsubscribe());
  }

  override updateTitle(snapshot: RouterStateSnapshot): void {
    const pageTitle = this.buildTitle(snapshot);
    if (pageTitle !== undefined) this.pageTitle.next(pageTitle);
    // Looked up on the first navigation, not in the constructor: the router creates its title
    // strategy while it is itself being created, and the notification service needs the router.
    this.following ??= combineLatest([this.pageTitle, this.injector.get(NotificationService).unreadCount$]).subscribe(
      ([title, unread]) => this.title.setTitle(titleWithUnread(title, unread)),
    );
  }
}
