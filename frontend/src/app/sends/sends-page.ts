import { HttpErrorResponse } from '@angular/common/http';
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
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { SEND_STATUSES, SendDetailDto, SendPageDto, SendStatus, SendSummaryDto, SendUpdatedPayload } from '@clinic/contracts';
import { catchError, filter, map, of, pairwise, Subject, switchMap } from 'rxjs';

import { Clock } from '../common/clock';
import { Feedback } from '../common/feedback';
import { formatFullDate, FullDatePipe } from '../common/full-date-pipe';
import { LoadMoreButton } from '../common/load-more-button';
import { TimeAgoPipe } from '../common/time-ago-pipe';
import { describeHttpError } from '../core/http-errors';
import { NotificationService, PRIORITY_LABELS, TYPE_LABELS } from '../notifications';
import { ReceiptCounts } from './receipt-counts';
import { describeTarget, STATUS_LABELS } from './send-labels';
import { SendsApi } from './sends-api';

interface PageRequest {
  readonly status: SendStatus | null;
  readonly cursor: string | null;
}

type PageAnswer = { readonly request: PageRequest } & ({ readonly page: SendPageDto } | { readonly error: unknown });

/** The list's heading, for screen readers: by filter, whole phrases (word order differs by language). */
const LIST_TITLES: Readonly<Record<SendStatus | 'all', string>> = {
  all: $localize`:@@sends.listAll:All sends`,
  scheduled: $localize`:@@sends.listScheduled:Scheduled sends`,
  sent: $localize`:@@sends.listSent:Sent sends`,
  cancelled: $localize`:@@sends.listCancelled:Cancelled sends`,
};

/**
 * Admins see the clinic's sends, newest first, with how many recipients received, saw, read and
 * acknowledged each: the counts follow `send:updated` live, and a reconnection reloads the list
 * (events missed meanwhile). Filtered by status (`?status=scheduled`); a scheduled send can be
 * cancelled; each send opens its per-recipient receipts.
 */
@Component({
  selector: 'app-sends-page',
  imports: [RouterLink, FullDatePipe, LoadMoreButton, ReceiptCounts, TimeAgoPipe],
  templateUrl: './sends-page.html',
  styleUrl: './sends-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SendsPage {
  private readonly api = inject(SendsApi);
  private readonly destroyRef = inject(DestroyRef);
  private readonly injector = inject(Injector);
  private readonly document = (inject(ElementRef).nativeElement as HTMLElement).ownerDocument;
  private readonly requests = new Subject<PageRequest>();
  /** Sends being fetched one by one after a `send:updated`, so that a burst asks once. */
  private readonly fetching = new Set<string>();

  /** Bound from the `status` query parameter. */
  readonly status = input<string>();

  protected readonly now = toSignal(inject(Clock).now$, { requireSync: true });
  protected readonly statuses = SEND_STATUSES;
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly listTitles = LIST_TITLES;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly priorityLabels = PRIORITY_LABELS;
  protected readonly describeTarget = describeTarget;
  protected readonly filter = computed<SendStatus | null>(() => SEND_STATUSES.find((status) => status === this.status()) ?? null);
  protected readonly sends = signal<readonly SendSummaryDto[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly state = signal<'loading' | 'ready' | 'failed'>('loading');
  protected readonly loadingMore = signal(false);
  protected readonly moreError = signal<string | null>(null);
  /** Ids of sends being cancelled. */
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  protected readonly feedback = signal<Feedback | null>(null);

  constructor() {
    const notifications = inject(NotificationService);
    this.requests
      .pipe(
        switchMap((request) =>
          this.api.list(request.status, request.cursor).pipe(
            map((page): PageAnswer => ({ request, page })),
            catchError((error: unknown) => of<PageAnswer>({ request, error })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((answer) => this.show(answer));
    toObservable(this.filter)
      .pipe(takeUntilDestroyed())
      .subscribe((status) => this.load(status));
    notifications.sendUpdates$.pipe(takeUntilDestroyed()).subscribe((update) => this.applyUpdate(update));
    notifications.connectionState$
      .pipe(
        pairwise(),
        filter(([before, now]) => before !== 'connected' && now === 'connected'),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.load(this.filter()));
  }

  protected retry(): void {
    this.load(this.filter());
  }

  protected loadMore(): void {
    const cursor = this.nextCursor();
    if (!cursor || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.moreError.set(null);
    this.requests.next({ status: this.filter(), cursor });
  }

  protected cancel(send: SendSummaryDto): void {
    const question = send.sendAt
      ? $localize`:@@sends.cancelConfirmFor:Cancel “${send.title}:TITLE:”, scheduled for ${formatFullDate(send.sendAt)}:TIME:? It will not go out.`
      : $localize`:@@sends.cancelConfirm:Cancel “${send.title}:TITLE:”, scheduled? It will not go out.`;
    if (this.busy().has(send.id) || !confirm(question)) return;
    this.busy.update((ids) => new Set(ids).add(send.id));
    this.feedback.set(null);
    this.api
      .cancel(send.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.done(send.id);
          this.replace({ ...send, status: 'cancelled' });
          this.feedback.set({ kind: 'success', text: $localize`:@@sends.cancelled:“${send.title}:TITLE:” is cancelled and will not go out.` });
          this.focusTitle(send.id);
        },
        error: (error: unknown) => {
          this.done(send.id);
          const status = error instanceof HttpErrorResponse ? error.status : null;
          this.feedback.set({
            kind: 'error',
            text: describeHttpError(error, $localize`:@@sends.actionCancel:cancel the send`, {
              404: $localize`:@@sends.cancelGone:“${send.title}:TITLE:” no longer exists.`,
              409: $localize`:@@sends.cancelTooLate:“${send.title}:TITLE:” has already gone out or was cancelled, so it cannot be cancelled.`,
            }),
          });
          if (status === 404) this.sends.update((sends) => sends.filter((shown) => shown.id !== send.id));
          else if (status === 409) this.fetchOne(send.id);
        },
      });
  }

  private load(status: SendStatus | null): void {
    this.state.set('loading');
    this.loadingMore.set(false);
    this.moreError.set(null);
    this.requests.next({ status, cursor: null });
  }

  private show(answer: PageAnswer): void {
    const { request } = answer;
    if ('error' in answer) {
      if (request.cursor) {
        this.loadingMore.set(false);
        this.moreError.set(describeHttpError(answer.error, $localize`:@@sends.actionLoadOlder:load older sends`));
      } else {
        this.state.set('failed');
      }
      return;
    }
    this.nextCursor.set(answer.page.nextCursor);
    this.state.set('ready');
    if (!request.cursor) {
      this.sends.set(answer.page.items);
      return;
    }
    this.loadingMore.set(false);
    const known = new Set(this.sends().map((send) => send.id));
    this.sends.update((sends) => [...sends, ...answer.page.items.filter((send) => !known.has(send.id))]);
  }

  /**
   * New counts go straight into the row. A scheduled send that changes went out, and a send not
   * listed is new: their status and times are only in the send itself, so it is fetched.
   */
  private applyUpdate({ sendId, counts }: SendUpdatedPayload): void {
    const known = this.sends().find((send) => send.id === sendId);
    if (known) this.replace({ ...known, counts });
    if ((!known || known.status === 'scheduled') && this.state() === 'ready') this.fetchOne(sendId);
  }

  private fetchOne(sendId: string): void {
    if (this.fetching.has(sendId)) return;
    this.fetching.add(sendId);
    this.api
      .get(sendId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (detail) => {
          this.fetching.delete(sendId);
          this.merge(summaryOf(detail));
        },
        error: () => this.fetching.delete(sendId),
      });
  }

  /** Puts a fresh copy in its row, or a new send at the top; one that left the filter goes. */
  private merge(send: SendSummaryDto): void {
    const filter = this.filter();
    const fits = filter === null || send.status === filter;
    const listed = this.sends().some((shown) => shown.id === send.id);
    if (listed) {
      this.sends.update((sends) => (fits ? sends.map((shown) => (shown.id === send.id ? send : shown)) : sends.filter((shown) => shown.id !== send.id)));
      return;
    }
    const newest = this.sends()[0];
    if (fits && (!newest || send.createdAt >= newest.createdAt)) this.sends.update((sends) => [send, ...sends]);
  }

  private replace(send: SendSummaryDto): void {
    this.sends.update((sends) => sends.map((shown) => (shown.id === send.id ? send : shown)));
  }

  private done(sendId: string): void {
    this.busy.update((ids) => {
      const next = new Set(ids);
      next.delete(sendId);
      return next;
    });
  }

  /** The Cancel button is gone: the keyboard stays on the same send. */
  private focusTitle(sendId: string): void {
    afterNextRender(() => this.document.getElementById(`send-${sendId}`)?.focus(), { injector: this.injector });
  }
}

function summaryOf(detail: SendDetailDto): SendSummaryDto {
  const { message: _message, recipients: _recipients, escalations: _escalations, ...summary } = detail;
  return summary;
}
