import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import type { NotificationDto } from '@clinic/contracts';

import { TYPE_LABELS } from './notification-labels';
import { Clock, FullDatePipe, TimeAgoPipe } from './time-ago';

/**
 * The content of the button that opens a notification, in the bell's dropdown and in the inbox:
 * one place that renders a notification's text, always as text.
 */
@Component({
  selector: 'button[appNotificationSummary]',
  imports: [TimeAgoPipe, FullDatePipe],
  template: `
    @let item = notification();
    @if (!item.readAt) {
      <span class="visually-hidden">Unread: </span>
    }
    <span class="note-title">{{ item.title }}</span>
    <span class="note-message" [class.detailed]="detailed()">{{ item.message }}</span>
    <span class="note-meta">
      <time [attr.datetime]="item.createdAt" [title]="item.createdAt | fullDate">{{ item.createdAt | timeAgo: now() }}</time>
      · {{ typeLabels[item.type] }}
      @if (detailed() && item.actionText) {
        · <span class="action-text">{{ item.actionText }}</span>
      }
    </span>
  `,
  styles: `
    .note-message.detailed {
      display: block;
      font-size: 0.9375rem;
      white-space: pre-line;
    }
    .action-text {
      color: var(--color-primary);
      font-weight: 600;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationSummary {
  readonly notification = input.required<NotificationDto>();
  /** The inbox shows the whole message, with its line breaks, and the action's text; the dropdown two lines. */
  readonly detailed = input(false);

  protected readonly now = inject(Clock).now;
  protected readonly typeLabels = TYPE_LABELS;
}
