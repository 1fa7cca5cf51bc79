import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import type { SendDetailDto } from '@clinic/contracts';
import { auditTime, catchError, filter, map, merge, of, pairwise, startWith, Subject, switchMap } from 'rxjs';

import { FullDatePipe } from '../common/full-date-pipe';
import { AuthService } from '../core/auth-service';
import { NotificationService, PRIORITY_LABELS, TYPE_LABELS } from '../notifications';
import { ReceiptCounts } from './receipt-counts';
import { ReceiptTimePipe } from './receipt-time-pipe';
import { describeDelay, describeTarget, STATUS_LABELS } from './send-labels';
import { SendsApi } from './sends-api';

/** How often, at most, a burst of `send:updated` refetches the recipients' times. */
export const RECEIPTS_REFRESH_MS = 1_000;

type View =
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly send: SendDetailDto }
  | { readonly state: 'not-found' }
  | { readonly state: 'failed' };

/**
 * One send's receipts, per recipient: when it reached a device, was on screen, was read and was
 * acknowledged; its escalation steps, each linking to its own receipts. Admins, the sender and
 * the recipients of its escalations may open it (an escalation's notification links here); the
 * server answers 404 to anyone else, and the page says so. The counts follow `send:updated` at
 * once; the recipients' times are fetched again, at most once a second, and after a reconnection.
 */
@Component({
  selector: 'app-send-receipts-page',
  imports: [RouterLink, FullDatePipe, ReceiptCounts, ReceiptTimePipe],
  templateUrl: './send-receipts-page.html',
  styleUrl: './send-receipts-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SendReceiptsPage {
  private readonly api = inject(SendsApi);
  private readonly retries = new Subject<void>();

  /** Bound from the route's `:sendId`. */
  readonly sendId = input.required<string>();

  protected readonly isAdmin = inject(AuthService).isAdmin;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly priorityLabels = PRIORITY_LABELS;
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly describeTarget = describeTarget;
  protected readonly describeDelay = describeDelay;
  /** The sender of a send nobody made (an escalation, an order's change). */
  protected readonly systemSender = $localize`:@@sends.systemSender:The system`;
  protected readonly view = signal<View>({ state: 'loading' });
  protected readonly send = computed(() => {
    const view = this.view();
    return view.state === 'ready' ? view.send : null;
  });
  /** The server lists at most MAX_LISTED_RECIPIENTS by name; the counts cover everyone. */
  protected readonly unlisted = computed(() => {
    const send = this.send();
    return send ? Math.max(0, send.counts.recipients - send.recipients.length) : 0;
  });

  constructor() {
    const notifications = inject(NotificationService);
    const updates = notifications.sendUpdates$.pipe(filter(({ sendId }) => sendId === this.sendId()));
    updates.pipe(takeUntilDestroyed()).subscribe(({ counts }) => {
      const send = this.send();
      if (send) this.view.set({ state: 'ready', send: { ...send, counts } });
    });
    const reconnected = notifications.connectionState$.pipe(
      pairwise(),
      filter(([before, now]) => before !== 'connected' && now === 'connected'),
    );
    toObservable(this.sendId)
      .pipe(
        switchMap((sendId) => {
          this.view.set({ state: 'loading' });
          const refreshes = merge(updates.pipe(auditTime(RECEIPTS_REFRESH_MS)), reconnected, this.retries).pipe(startWith(null));
          return refreshes.pipe(
            switchMap(() =>
              this.api.get(sendId).pipe(
                map((send): View => ({ state: 'ready', send })),
                catchError((error: unknown) =>
                  of<View>(error instanceof HttpErrorResponse && error.status === 404 ? { state: 'not-found' } : { state: 'failed' }),
                ),
              ),
            ),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((view) => {
        // A failed refresh keeps what is on screen; only a first load shows the failure.
        if (view.state === 'failed' && this.send()) return;
        this.view.set(view);
      });
  }

  protected retry(): void {
    this.view.set({ state: 'loading' });
    this.retries.next();
  }
}
