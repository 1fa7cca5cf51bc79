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
import { DELIVERY_STATUSES, DeliveryDto, DeliveryPageDto, DeliveryStatus } from '@clinic/contracts';
import { catchError, map, of, Subject, switchMap } from 'rxjs';

import { Clock } from '../common/clock';
import { Feedback } from '../common/feedback';
import { FullDatePipe } from '../common/full-date-pipe';
import { LoadMoreButton } from '../common/load-more-button';
import { TimeAgoPipe } from '../common/time-ago-pipe';
import { describeHttpError } from '../core/http-errors';
import { DeliveriesApi } from './deliveries-api';
import { CHANNEL_LABELS, DELIVERY_STATUS_LABELS } from './delivery-labels';

interface PageRequest {
  readonly status: DeliveryStatus | null;
  readonly cursor: string | null;
}

type PageAnswer = { readonly request: PageRequest } & ({ readonly page: DeliveryPageDto } | { readonly error: unknown });

/** The list's heading, for screen readers: by filter, whole phrases (word order differs by language). */
const LIST_TITLES: Readonly<Record<DeliveryStatus | 'all', string>> = {
  all: $localize`:@@deliveries.listAll:All deliveries`,
  queued: $localize`:@@deliveries.listQueued:Queued deliveries`,
  sent: $localize`:@@deliveries.listSent:Sent deliveries`,
  failed: $localize`:@@deliveries.listFailed:Failed deliveries`,
  outbox: $localize`:@@deliveries.listOutbox:Outbox deliveries`,
};

/**
 * Admins see the email and SMS messages sent for notifications, newest first: what waits, what
 * went out, what is kept in the outbox for want of a provider, and what failed for good, which
 * they can queue again. Filtered by status (`?status=failed`), so a failure list can be shared.
 */
@Component({
  selector: 'app-deliveries-page',
  imports: [RouterLink, FullDatePipe, LoadMoreButton, TimeAgoPipe],
  templateUrl: './deliveries-page.html',
  styleUrl: './deliveries-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DeliveriesPage {
  private readonly api = inject(DeliveriesApi);
  private readonly destroyRef = inject(DestroyRef);
  private readonly injector = inject(Injector);
  private readonly document = (inject(ElementRef).nativeElement as HTMLElement).ownerDocument;
  private readonly requests = new Subject<PageRequest>();
  /** The row the keyboard goes back to once the list reloaded after a retry that came too late. */
  private focusAfterLoad: string | null = null;

  /** Bound from the `status` query parameter. */
  readonly status = input<string>();

  protected readonly now = toSignal(inject(Clock).now$, { requireSync: true });
  protected readonly statuses = DELIVERY_STATUSES;
  protected readonly statusLabels = DELIVERY_STATUS_LABELS;
  protected readonly channelLabels = CHANNEL_LABELS;
  protected readonly listTitles = LIST_TITLES;
  protected readonly filter = computed<DeliveryStatus | null>(
    () => DELIVERY_STATUSES.find((status) => status === this.status()) ?? null,
  );
  protected readonly deliveries = signal<readonly DeliveryDto[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly state = signal<'loading' | 'ready' | 'failed'>('loading');
  protected readonly loadingMore = signal(false);
  protected readonly moreError = signal<string | null>(null);
  /** Ids of deliveries being retried. */
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  protected readonly feedback = signal<Feedback | null>(null);

  constructor() {
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
      .subscribe((status) => {
        this.feedback.set(null);
        this.load(status);
      });
  }

  /** Deliveries are not pushed live: the admin asks for the current state. */
  protected reload(): void {
    this.feedback.set(null);
    this.load(this.filter());
  }

  protected loadMore(): void {
    const cursor = this.nextCursor();
    if (!cursor || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.moreError.set(null);
    this.requests.next({ status: this.filter(), cursor });
  }

  protected retry(delivery: DeliveryDto): void {
    if (this.busy().has(delivery.id)) return;
    const what = this.describe(delivery);
    this.busy.update((ids) => new Set(ids).add(delivery.id));
    this.feedback.set(null);
    this.api
      .retry(delivery.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (queued) => {
          this.done(delivery.id);
          this.deliveries.update((shown) => shown.map((one) => (one.id === queued.id ? queued : one)));
          this.feedback.set({ kind: 'success', text: $localize`:@@deliveries.requeued:The ${what}:DELIVERY: is queued again and goes out shortly.` });
          this.focusRow(delivery.id);
        },
        error: (error: unknown) => {
          this.done(delivery.id);
          const status = error instanceof HttpErrorResponse ? error.status : null;
          this.feedback.set({
            kind: 'error',
            text: describeHttpError(error, $localize`:@@deliveries.actionRetry:retry the ${what}:DELIVERY:`, {
              404: $localize`:@@deliveries.retryGone:The ${what}:DELIVERY: no longer exists.`,
              409: $localize`:@@deliveries.retryTooLate:It is no longer failed: the ${what}:DELIVERY: was retried or went out meanwhile. The list shows its status now.`,
            }),
          });
          if (status === 404) {
            this.deliveries.update((shown) => shown.filter((one) => one.id !== delivery.id));
          } else if (status === 409) {
            // Its current state is only on the server: the list is read again.
            this.focusAfterLoad = delivery.id;
            this.load(this.filter());
          }
        },
      });
  }

  /** "email to Nora Nurse", "SMS to Nora Nurse": what follows "the" in the page's sentences. */
  protected describe(delivery: DeliveryDto): string {
    const name = delivery.recipient.name;
    return delivery.channel === 'EMAIL'
      ? $localize`:@@deliveries.emailTo:email to ${name}:NAME:`
      : $localize`:@@deliveries.smsTo:SMS to ${name}:NAME:`;
  }

  private load(status: DeliveryStatus | null): void {
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
        this.moreError.set(describeHttpError(answer.error, $localize`:@@deliveries.actionLoadOlder:load older deliveries`));
      } else {
        this.state.set('failed');
      }
      return;
    }
    this.nextCursor.set(answer.page.nextCursor);
    this.state.set('ready');
    if (!request.cursor) {
      this.deliveries.set(answer.page.items);
      const focus = this.focusAfterLoad;
      this.focusAfterLoad = null;
      if (focus) this.focusRow(focus);
      return;
    }
    this.loadingMore.set(false);
    const known = new Set(this.deliveries().map((delivery) => delivery.id));
    const added = answer.page.items.filter((delivery) => !known.has(delivery.id));
    this.deliveries.update((shown) => [...shown, ...added]);
    if (added.length > 0) this.focusRow(added[0].id);
  }

  private done(deliveryId: string): void {
    this.busy.update((ids) => {
      const next = new Set(ids);
      next.delete(deliveryId);
      return next;
    });
  }

  /** The Retry button is gone, or new rows came: the keyboard stays on (or goes to) the row. */
  private focusRow(deliveryId: string): void {
    afterNextRender(() => this.document.getElementById(`delivery-${deliveryId}`)?.focus(), { injector: this.injector });
  }
}
