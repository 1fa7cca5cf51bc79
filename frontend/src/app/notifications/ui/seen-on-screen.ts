import { DOCUMENT } from '@angular/common';
import { afterNextRender, DestroyRef, Directive, ElementRef, inject, InjectionToken, input } from '@angular/core';
import type { NotificationDto } from '@clinic/contracts';

import { NotificationService } from '../state/notification-service';

/** The browser's IntersectionObserver; null where there is none. Tests provide a fake. */
export const INTERSECTION_OBSERVER = new InjectionToken<typeof IntersectionObserver | null>('INTERSECTION_OBSERVER', {
  providedIn: 'root',
  factory: () => inject(DOCUMENT).defaultView?.IntersectionObserver ?? null,
});

/** How much of the element must be in the viewport to count as seen. */
const SEEN_THRESHOLD = 0.5;

/**
 * Marks the element that shows a notification (a toast, a dropdown row, an inbox row): once at
 * least half of it is in the viewport, the notification is reported seen. Without an
 * IntersectionObserver, being rendered counts.
 */
@Directive({ selector: '[appSeenOnScreen]' })
export class SeenOnScreen {
  /** Null for an element that shows no single notification (a summary or error toast). */
  readonly appSeenOnScreen = input.required<NotificationDto | null>();

  constructor() {
    const notifications = inject(NotificationService);
    const host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    const Observer = inject(INTERSECTION_OBSERVER);
    const seen = () => {
      const notification = this.appSeenOnScreen();
      if (notification) notifications.reportSeen(notification);
    };
    if (!Observer) {
      afterNextRender(seen);
      return;
    }
    const observer = new Observer(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting && entry.intersectionRatio >= SEEN_THRESHOLD)) seen();
      },
      { threshold: SEEN_THRESHOLD },
    );
    afterNextRender(() => observer.observe(host));
    inject(DestroyRef).onDestroy(() => observer.disconnect());
  }
}
