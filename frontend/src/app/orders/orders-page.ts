import { HttpErrorResponse } from '@angular/common/http';
import { DOCUMENT } from '@angular/common';
import { afterRenderEffect, ChangeDetectionStrategy, Component, computed, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { ActivatedRoute } from '@angular/router';
import {
  AMOUNT_PATTERN,
  CreateOrderRequest,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  NotificationType,
  ORDER_TRANSITIONS,
  OrderDto,
  OrderStatus,
  TeamDto,
  UserDto,
} from '@clinic/contracts';
import { catchError, debounceTime, filter, map, Observable, of } from 'rxjs';

import { AuthService } from '../core/auth-service';
import { describeHttpError } from '../core/http-errors';
import { newIdempotencyKey } from '../core/idempotency-key';
import { TeamsApi } from '../core/teams-api';
import { UsersApi } from '../core/users-api';
import { NotificationService } from '../notifications';
import { AmountPipe } from '../common/amount-pipe';
import { Clock } from '../common/clock';
import { Feedback } from '../common/feedback';
import { FullDatePipe } from '../common/full-date-pipe';
import { TimeAgoPipe } from '../common/time-ago-pipe';
import { OrdersApi } from './orders-api';
import { LoadMoreButton } from '../common/load-more-button';

export const STATUS_LABELS: Readonly<Record<OrderStatus, string>> = {
  PENDING: $localize`:@@orders.statusPending:Pending`,
  CONFIRMED: $localize`:@@orders.statusConfirmed:Confirmed`,
  IN_PROGRESS: $localize`:@@orders.statusInProgress:In progress`,
  COMPLETED: $localize`:@@orders.statusCompleted:Completed`,
  CANCELLED: $localize`:@@orders.statusCancelled:Cancelled`,
};

/** What the button that moves an order to a status says. */
const TRANSITION_LABELS: Readonly<Record<OrderStatus, string>> = {
  PENDING: $localize`:@@orders.reopen:Reopen`,
  CONFIRMED: $localize`:@@orders.confirm:Confirm`,
  IN_PROGRESS: $localize`:@@orders.start:Start`,
  COMPLETED: $localize`:@@orders.complete:Complete`,
  CANCELLED: $localize`:@@orders.cancelOrder:Cancel order`,
};

/** What the list says once an order moved: one sentence per status, as a language may agree its words with it. */
function statusChanged(patient: string, status: OrderStatus): string {
  switch (status) {
    case 'PENDING':
      return $localize`:@@orders.nowPending:Order for ${patient}:PATIENT: is now pending.`;
    case 'CONFIRMED':
      return $localize`:@@orders.nowConfirmed:Order for ${patient}:PATIENT: is now confirmed.`;
    case 'IN_PROGRESS':
      return $localize`:@@orders.nowInProgress:Order for ${patient}:PATIENT: is now in progress.`;
    case 'COMPLETED':
      return $localize`:@@orders.nowCompleted:Order for ${patient}:PATIENT: is now completed.`;
    case 'CANCELLED':
      return $localize`:@@orders.nowCancelled:Order for ${patient}:PATIENT: is now cancelled.`;
  }
}

const ORDER_NOTIFICATION_TYPES: readonly NotificationType[] = ['ORDER_CREATED', 'ORDER_STATUS_CHANGED', 'PAYMENT_VERIFIED'];

@Component({
  selector: 'app-orders-page',
  imports: [ReactiveFormsModule, AmountPipe, FullDatePipe, LoadMoreButton, TimeAgoPipe],
  templateUrl: './orders-page.html',
  styleUrl: './orders-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OrdersPage {
  private readonly api = inject(OrdersApi);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly now = toSignal(inject(Clock).now$, { requireSync: true });
  /** The clinic's currency (the server's CLINIC_CURRENCY); totals show without a symbol until it is known. */
  protected readonly currency = toSignal(
    inject(AuthService)
      .config()
      .pipe(
        map((config) => config.currency),
        catchError(() => of(null)),
      ),
    { initialValue: null },
  );
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly transitionLabels = TRANSITION_LABELS;
  protected readonly transitions = ORDER_TRANSITIONS;
  protected readonly orders = signal<readonly OrderDto[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(true);
  protected readonly loadFailed = signal(false);
  protected readonly loadingMore = signal(false);
  /** Ids of orders with a change on its way, so their buttons wait. */
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  protected readonly listFeedback = signal<Feedback | null>(null);
  protected readonly formFeedback = signal<Feedback | null>(null);
  protected readonly submitting = signal(false);
  /** Assignees can be picked by admins, the only ones allowed to list users. */
  protected readonly assignees = signal<readonly UserDto[]>([]);
  protected readonly canAssign = computed(() => this.assignees().length > 0);
  /** Any team can be picked by anyone: its members then see the order and act on it. */
  protected readonly teams = signal<readonly TeamDto[]>([]);

  protected readonly form = inject(NonNullableFormBuilder).group({
    patientName: ['', [Validators.required, Validators.maxLength(200)]],
    description: ['', [Validators.required, Validators.maxLength(2000)]],
    total: ['', [Validators.required, Validators.pattern(AMOUNT_PATTERN)]],
    assigneeId: [''],
    teamId: [''],
  });
  private idempotencyKey = newIdempotencyKey();
  /** The order a link pointed at (`/orders?order=<id>`, a notification's "View order"): marked and scrolled to. */
  protected readonly highlightedId = toSignal(inject(ActivatedRoute).queryParamMap.pipe(map((params) => params.get('order'))), {
    initialValue: null,
  });
  private scrolledTo: string | null = null;

  constructor() {
    this.reload();
    const document = inject(DOCUMENT);
    afterRenderEffect(() => {
      const id = this.highlightedId();
      if (!id || id === this.scrolledTo || !this.orders().some((order) => order.id === id)) return;
      this.scrolledTo = id;
      document.getElementById(`order-${id}`)?.scrollIntoView({ block: 'center' });
    });
    if (inject(AuthService).isAdmin()) {
      inject(UsersApi)
        .listAll()
        .pipe(takeUntilDestroyed())
        .subscribe({ next: (users) => this.assignees.set(users.filter((user) => user.active)), error: () => undefined });
    }
    // Without the list the form still creates orders, only unassigned to a team.
    inject(TeamsApi)
      .list()
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (teams) => this.teams.set(teams), error: () => undefined });
    // Someone else changed an order that concerns this user: show the current state.
    inject(NotificationService)
      .arrivals$.pipe(
        filter((notification) => ORDER_NOTIFICATION_TYPES.includes(notification.type)),
        debounceTime(300),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.reload());
    // Any edit makes it a new submission; an unchanged retry keeps the key and creates nothing twice.
    this.form.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => (this.idempotencyKey = newIdempotencyKey()));
  }

  /** The linked order is further down the list than the first page: fetched and shown first. */
  private showLinkedOrder(): void {
    const id = this.highlightedId();
    if (!id || this.orders().some((order) => order.id === id)) return;
    this.api
      .get(id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (order) => this.orders.update((orders) => [order, ...orders.filter((existing) => existing.id !== order.id)]),
        error: (error: unknown) =>
          this.listFeedback.set({
            kind: 'error',
            text: describeHttpError(error, $localize`:@@orders.actionShowLinked:show the linked order`, {
              404: $localize`:@@orders.linkedNotFound:The linked order is not there for you: it may have been moved to another team.`,
            }),
          }),
      });
  }

  protected showsError(field: 'patientName' | 'description' | 'total'): boolean {
    const control = this.form.controls[field];
    return control.invalid && control.touched;
  }

  protected create(): void {
    if (this.submitting()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { patientName, description, total, assigneeId, teamId } = this.form.getRawValue();
    const request: CreateOrderRequest = {
      patientName: patientName.trim(),
      description: description.trim(),
      total,
      ...(assigneeId ? { assigneeId } : {}),
      ...(teamId ? { teamId } : {}),
    };
    this.submitting.set(true);
    this.formFeedback.set(null);
    this.api
      .create(request, this.idempotencyKey)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (order) => {
          this.submitting.set(false);
          this.form.reset();
          this.orders.update((orders) => [order, ...orders.filter((existing) => existing.id !== order.id)]);
          this.formFeedback.set({ kind: 'success', text: $localize`:@@orders.created:Order for ${order.patientName}:PATIENT: created.` });
        },
        error: (error: unknown) => {
          this.submitting.set(false);
          this.formFeedback.set({ kind: 'error', text: describeHttpError(error, $localize`:@@orders.actionCreate:create the order`) });
        },
      });
  }

  protected changeStatus(order: OrderDto, status: OrderStatus): void {
    const patient = order.patientName;
    if (status === 'CANCELLED' && !confirm($localize`:@@orders.confirmCancel:Cancel the order for ${patient}:PATIENT:? This cannot be undone.`)) return;
    this.update(order, this.api.changeStatus(order.id, status), statusChanged(patient, status), $localize`:@@orders.actionChangeStatus:change the status`);
  }

  protected verifyPayment(order: OrderDto): void {
    this.update(
      order,
      this.api.verifyPayment(order.id),
      $localize`:@@orders.paymentVerified:Payment for ${order.patientName}:PATIENT: verified.`,
      $localize`:@@orders.actionVerifyPayment:verify the payment`,
    );
  }

  protected loadMore(): void {
    const cursor = this.nextCursor();
    if (!cursor || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.api
      .list(cursor)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) => {
          this.loadingMore.set(false);
          const known = new Set(this.orders().map((order) => order.id));
          this.orders.update((orders) => [...orders, ...page.items.filter((order) => !known.has(order.id))]);
          this.nextCursor.set(page.nextCursor);
        },
        error: (error: unknown) => {
          this.loadingMore.set(false);
          this.listFeedback.set({ kind: 'error', text: describeHttpError(error, $localize`:@@orders.actionLoadMore:load more orders`) });
        },
      });
  }

  protected reload(): void {
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(DEFAULT_PAGE_SIZE, this.orders().length));
    this.api
      .list(null, limit)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) => {
          this.loading.set(false);
          this.loadFailed.set(false);
          this.orders.set(page.items);
          this.nextCursor.set(page.nextCursor);
          this.showLinkedOrder();
        },
        error: () => {
          this.loading.set(false);
          this.loadFailed.set(true);
        },
      });
  }

  private update(order: OrderDto, request: Observable<OrderDto>, success: string, action: string): void {
    this.busy.update((ids) => new Set(ids).add(order.id));
    this.listFeedback.set(null);
    request.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (updated) => {
        this.settle(order.id);
        this.orders.update((orders) => orders.map((existing) => (existing.id === updated.id ? updated : existing)));
        this.listFeedback.set({ kind: 'success', text: success });
      },
      error: (error: unknown) => {
        this.settle(order.id);
        if (error instanceof HttpErrorResponse && error.status === 409) {
          this.listFeedback.set({
            kind: 'error',
            text: $localize`:@@orders.changedMeanwhile:The order for ${order.patientName}:PATIENT: was changed meanwhile, so this is no longer possible. The list now shows its current state.`,
          });
          this.reload();
        } else {
          this.listFeedback.set({ kind: 'error', text: describeHttpError(error, action) });
        }
      },
    });
  }

  private settle(id: string): void {
    this.busy.update((ids) => {
      const next = new Set(ids);
      next.delete(id);
      return next;
    });
  }
}
