import { ChangeDetectionStrategy, Component, inject, LOCALE_ID } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';

import { NotificationStore } from '../state/notification-store';

/** Says that the inbox on screen is the one this device kept, from when, while the server cannot be reached. */
@Component({
  selector: 'app-offline-notice',
  template: `
    <div role="status">
      @if (keptSince(); as since) {
        <p class="offline-notice">
          <strong i18n="@@offline.title">Offline.</strong>
          <ng-container i18n="@@offline.kept">
            These are your notifications as of {{ time(since) }}; they may be out of date. Live updates return when the server can be reached.
          </ng-container>
        </p>
      }
    </div>
  `,
  styles: `
    .offline-notice {
      max-width: var(--page-width, 72rem);
      margin: 0.75rem auto 0;
      padding: 0.625rem 1rem;
      border: 1px solid var(--color-warning);
      border-radius: var(--radius);
      background: var(--color-warning-soft);
      color: var(--color-warning-text);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OfflineNotice {
  private readonly format = new Intl.DateTimeFormat(inject(LOCALE_ID), { dateStyle: 'medium', timeStyle: 'short' });
  protected readonly keptSince = toSignal(inject(NotificationStore).keptSince$, { initialValue: null });

  protected time(iso: string): string {
    return this.format.format(new Date(iso));
  }
}
