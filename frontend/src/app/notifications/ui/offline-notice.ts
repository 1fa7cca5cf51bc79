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
      /* Lined up with the page (app-shell.css: .page, 80rem wide with 1.5rem of padding). */
      margin: 1rem 0 0;
      margin-inline: max(1.5rem, (100% - 80rem) / 2 + 1.5rem);
      padding: 0.625rem 1rem;
      border: 1px solid var(--color-warning);
      border-radius: var(--radius);
      background: var(--color-warning-soft);
      color: var(--color-warning-text);
    }
    @media (max-width: 48rem) {
      .offline-notice {
        margin-inline: 1rem;
      }
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
