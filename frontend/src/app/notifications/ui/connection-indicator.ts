import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';

import { NotificationService } from '../state/notification-service';
import type { ConnectionState } from '../state/notification-store';

/** `short`: what a phone's header has room for; a working connection needs no words there. */
const DESCRIPTIONS: Readonly<Record<ConnectionState, { label: string; short: string; detail: string }>> = {
  connected: {
    label: $localize`:@@connection.connected:Connected`,
    short: '',
    detail: $localize`:@@connection.connectedDetail:Live: new notifications appear the moment they are sent.`,
  },
  reconnecting: {
    label: $localize`:@@connection.reconnecting:Reconnecting`,
    short: $localize`:@@connection.reconnectingShort:Reconnecting`,
    detail: $localize`:@@connection.reconnectingDetail:Connecting for live notifications…`,
  },
  polling: {
    label: $localize`:@@connection.polling:Live updates paused`,
    short: $localize`:@@connection.pollingShort:Paused`,
    detail: $localize`:@@connection.pollingDetail:Live updates paused: checking for new notifications every minute until the connection is back.`,
  },
  offline: {
    label: $localize`:@@connection.offline:Offline`,
    short: $localize`:@@connection.offlineShort:Offline`,
    detail: $localize`:@@connection.offlineDetail:No network: notifications will catch up when you are back online.`,
  },
};

/** How live the notifications are right now. */
@Component({
  selector: 'app-connection-indicator',
  template: `
    <span
      class="indicator"
      data-testid="connection-state"
      role="status"
      [attr.data-state]="state()"
      [title]="description().detail"
    >
      <span class="dot" aria-hidden="true"></span>
      <span class="label">{{ description().label }}</span>
      <!-- Drawn from an attribute: the element's text stays the full label, which tests and tools read. -->
      <span class="short" aria-hidden="true" [attr.data-short]="description().short"></span>
      <span class="visually-hidden">. {{ description().detail }}</span>
    </span>
  `,
  styles: `
    .indicator {
      display: inline-flex;
      align-items: center;
      gap: 0.375rem;
      padding: 0.25rem 0.625rem;
      border-radius: 999px;
      background: var(--color-bg);
      color: var(--color-text-muted);
      font-size: 0.8125rem;
      font-weight: 600;
      white-space: nowrap;
    }
    .dot {
      width: 0.5rem;
      height: 0.5rem;
      border-radius: 999px;
      background: var(--color-border-strong);
    }
    [data-state='connected'] .dot {
      background: var(--color-success);
    }
    [data-state='reconnecting'] .dot,
    [data-state='polling'] .dot {
      background: var(--color-warning);
    }
    [data-state='polling'],
    [data-state='offline'] {
      background: var(--color-warning-soft);
      color: var(--color-warning-text);
    }
    .short {
      display: none;
    }
    .short::before {
      content: attr(data-short);
    }
    /* On a narrow screen the short words (none for a working connection); the full ones stay for screen readers. */
    @media (max-width: 48rem) {
      .short {
        display: inline;
      }
      [data-state='connected'] .short {
        display: none;
      }
      .label {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
      }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ConnectionIndicator {
  private readonly state$ = inject(NotificationService).connectionState$;
  protected readonly state = toSignal(this.state$, { initialValue: 'offline' as ConnectionState });
  protected readonly description = computed(() => DESCRIPTIONS[this.state()]);
}
