import { DestroyRef, inject, Injectable } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { RouterStateSnapshot, TitleStrategy } from '@angular/router';
import { BehaviorSubject, combineLatest, Observable, of, Subscription, switchMap } from 'rxjs';

/** "(3) Notifications · Clinic": the unread count before the route's title, so a background tab shows it. */
export function titleWithUnread(pageTitle: string, unread: number): string {
  return unread > 0 ? $localize`:@@title.withUnread:(${unread}:COUNT:) ${pageTitle}:PAGE_TITLE:` : pageTitle;
}

/**
 * The router's titles (`title` in app.routes.ts), with the signed-in user's unread count in front
 * while there is one; it follows the count live. A route without a title leaves the page's title
 * as it was.
 *
 * The count comes from whoever holds it: the signed-in shell calls `follow` with the
 * notification service's count and stops on leaving. The strategy does not create that service
 * itself: on the login page it would start a session's work (and navigations) of its own.
 */
@Injectable({ providedIn: 'root' })
export class UnreadTitleStrategy extends TitleStrategy {
  private readonly title = inject(Title);
  private readonly pageTitle = new BehaviorSubject(this.title.getTitle());
  private readonly unread = new BehaviorSubject<Observable<number>>(of(0));
  private readonly following: Subscription;

  constructor() {
    super();
    this.following = combineLatest([this.pageTitle, this.unread.pipe(switchMap((count) => count))]).subscribe(([title, count]) =>
      this.title.setTitle(titleWithUnread(title, count)),
    );
    inject(DestroyRef).onDestroy(() => this.following.unsubscribe());
  }

  override updateTitle(snapshot: RouterStateSnapshot): void {
    const pageTitle = this.buildTitle(snapshot);
    if (pageTitle !== undefined) this.pageTitle.next(pageTitle);
  }

  /** Shows this count from now on; the returned function goes back to none. */
  follow(unread: Observable<number>): () => void {
    this.unread.next(unread);
    return () => {
      if (this.unread.value === unread) this.unread.next(of(0));
    };
  }
}
