import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { awaitsAcknowledgement, type NotificationDto } from '@clinic/contracts';

import { Clock } from '../../common/clock';
import { FullDatePipe } from '../../common/full-date-pipe';
import { TimeAgoPipe } from '../../common/time-ago-pipe';
import { TYPE_LABELS } from './notification-labels';

/**
 * One notification in a list, as the content of the button that opens it, in the bell's dropdown
 * and in the inbox: one place that renders a notification's text, always as text.
 */
@Component({
  selector: 'button[appNotificationListItem]',
  imports: [TimeAgoPipe, FullDatePipe],
  template: `
    @let item = notification();
    @if (!item.readAt) {
      <span class="visually-hidden" i18n="@@inbox.unreadPrefix">Unread: </span>
    }
    <span class="note-title">{{ item.title }}</span>
    <span class="note-message" [class.detailed]="detailed()">{{ item.message }}</span>
    <span class="note-meta">
      <time [attr.datetime]="item.createdAt" [title]="item.createdAt | fullDate">{{ item.createdAt | timeAgo: now() }}</time>
      @if (detailed()) {
        <!-- Spelled out in the inbox: a tooltip cannot be read on a touch screen. -->
        <span class="exact-time" data-testid="exact-time">({{ item.createdAt | fullDate }})</span>
      }
      · {{ typeLabels[item.type] }}
      @if (detailed() && item.actionText) {
        · <span class="action-text">{{ item.actionText }}</span>
      }
    </span>
    @if (item.acknowledgedAt) {
      <span class="note-ack acknowledged" data-testid="acknowledged">
        <ng-container i18n="@@inbox.acknowledged">Acknowledged</ng-container>
        <time [attr.datetime]="item.acknowledgedAt" [title]="item.acknowledgedAt | fullDate">{{ item.acknowledgedAt | timeAgo: now() }}</time>
      </span>
    } @else if (awaitsAcknowledgement(item)) {
      <span class="note-ack pending" i18n="@@inbox.needsAcknowledgement">Needs acknowledgement</span>
    }
  `,
  styles: `
    /* The template's whitespace is collapsed away: the gap after "just now" is drawn here. */
    .exact-time {
      margin-left: 0.25em;
    }
    .note-message.detailed {
      display: block;
      font-size: 0.9375rem;
      white-space: pre-line;
    }
    .action-text {
      color: var(--color-primary);
      font-weight: 600;
    }
    .note-ack {
      font-size: 0.8125rem;
      font-weight: 600;
    }
    .acknowledged {
      color: var(--color-success-text);
    }
    .pending {
      color: var(--color-danger);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationListItem {
  readonly notification = input.required<NotificationDto>();
  /** The inbox shows the whole message, with its line breaks, and the action's text; the dropdown two lines. */
  readonly detailed = input(false);

  protected readonly now = toSignal(inject(Clock).now$, { requireSync: true });
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly awaitsAcknowledgement = awaitsAcknowledgement;
}
