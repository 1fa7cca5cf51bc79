import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  ElementRef,
  inject,
  Injector,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { AUDIT_ACTIONS, AuditAction, AuditEntryDto, AuditPageDto, TeamDto, UserDto } from '@clinic/contracts';
import { catchError, map, of, startWith, Subject, switchMap } from 'rxjs';

import { describeHttpError } from '../core/http-errors';
import { TeamsApi } from '../core/teams-api';
import { UsersApi } from '../core/users-api';
import { Clock } from '../common/clock';
import { FullDatePipe } from '../common/full-date-pipe';
import { localTimeToIso } from '../common/local-time';
import { TimeAgoPipe } from '../common/time-ago-pipe';
import { AuditApi, AuditFilter } from './audit-api';
import { describeDetails, describeTarget, DetailLine } from './audit-details';
import { ACTION_GROUPS, ACTION_LABELS } from './audit-labels';
import { LoadMoreButton } from '../common/load-more-button';

interface PageRequest {
  readonly filter: AuditFilter;
  readonly cursor: string | null;
}

type PageAnswer = { readonly request: PageRequest } & ({ readonly page: AuditPageDto } | { readonly error: unknown });

/** What one row shows of an entry. */
interface EntryView {
  readonly entry: AuditEntryDto;
  readonly target: string;
  readonly details: readonly DetailLine[];
}

/** Admins read who did what and when, narrowed by person, action and period, newest first. */
@Component({
  selector: 'app-audit-page',
  imports: [ReactiveFormsModule, FullDatePipe, LoadMoreButton, TimeAgoPipe],
  templateUrl: './audit-page.html',
  styleUrl: './audit-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuditPage {
  private readonly api = inject(AuditApi);
  private readonly injector = inject(Injector);
  private readonly document = (inject(ElementRef).nativeElement as HTMLElement).ownerDocument;
  private readonly requests = new Subject<PageRequest>();

  protected readonly now = toSignal(inject(Clock).now$, { requireSync: true });
  protected readonly actionLabels = ACTION_LABELS;
  protected readonly actionGroups = ACTION_GROUPS.map((group) => ({
    label: group.label,
    actions: AUDIT_ACTIONS.filter((action) => group.prefixes.includes(action.split('.')[0])),
  }));
  protected readonly users = signal<readonly UserDto[]>([]);
  private readonly teams = signal<readonly TeamDto[]>([]);
  private readonly names = computed(
    () => new Map([...this.users(), ...this.teams()].map((known): [string, string] => [known.id, known.name])),
  );

  protected readonly form = inject(NonNullableFormBuilder).group({
    actorId: [''],
    action: ['' as AuditAction | ''],
    from: [''],
    to: [''],
  });
  private readonly formValue = toSignal(this.form.valueChanges.pipe(startWith(this.form.getRawValue())), { requireSync: true });
  protected readonly periodInvalid = computed(() => {
    const { from, to } = this.formValue();
    const start = localTimeToIso(from ?? '');
    const end = localTimeToIso(to ?? '');
    return start !== undefined && end !== undefined && start >= end;
  });

  protected readonly entries = signal<readonly AuditEntryDto[]>([]);
  protected readonly rows = computed<EntryView[]>(() => {
    const names = this.names();
    return this.entries().map((entry) => ({
      entry,
      target: describeTarget(entry, names),
      details: describeDetails(entry.details, names),
    }));
  });
  protected readonly applied = signal<AuditFilter>({});
  protected readonly filtered = computed(() => Object.keys(this.applied()).length > 0);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly status = signal<'loading' | 'ready' | 'failed'>('loading');
  protected readonly loadingMore = signal(false);
  protected readonly moreError = signal<string | null>(null);

  constructor() {
    this.requests
      .pipe(
        switchMap((request) =>
          this.api.list(request.filter, request.cursor).pipe(
            map((page): PageAnswer => ({ request, page })),
            catchError((error: unknown) => of<PageAnswer>({ request, error })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((answer) => this.show(answer));
    // Names for actors and targets; without them the log still reads, with ids.
    inject(UsersApi)
      .listAll()
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (users) => this.users.set(users), error: () => undefined });
    inject(TeamsApi)
      .list()
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (teams) => this.teams.set(teams), error: () => undefined });
    this.load({});
  }

  protected apply(): void {
    if (this.periodInvalid()) {
      this.focus('audit-to');
      return;
    }
    const { actorId, action, from, to } = this.form.getRawValue();
    const start = localTimeToIso(from);
    const end = localTimeToIso(to);
    this.load({
      ...(actorId ? { actorId } : {}),
      ...(action ? { action } : {}),
      ...(start ? { from: start } : {}),
      ...(end ? { to: end } : {}),
    });
  }

  protected clear(): void {
    this.form.reset();
    this.load({});
  }

  protected retry(): void {
    this.load(this.applied());
  }

  protected loadMore(): void {
    const cursor = this.nextCursor();
    if (!cursor || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.moreError.set(null);
    this.requests.next({ filter: this.applied(), cursor });
  }

  private load(filter: AuditFilter): void {
    this.status.set('loading');
    this.loadingMore.set(false);
    this.moreError.set(null);
    this.requests.next({ filter, cursor: null });
  }

  private show(answer: PageAnswer): void {
    const { request } = answer;
    if ('error' in answer) {
      if (request.cursor) {
        this.loadingMore.set(false);
        this.moreError.set(describeHttpError(answer.error, $localize`:@@audit.actionLoadOlder:load older entries`));
      } else {
        this.status.set('failed');
      }
      return;
    }
    this.applied.set(request.filter);
    this.nextCursor.set(answer.page.nextCursor);
    this.status.set('ready');
    if (!request.cursor) {
      this.entries.set(answer.page.items);
      return;
    }
    this.loadingMore.set(false);
    const known = new Set(this.entries().map((entry) => entry.id));
    const added = answer.page.items.filter((entry) => !known.has(entry.id));
    this.entries.update((entries) => [...entries, ...added]);
    if (added.length > 0) this.focus(`entry-${added[0].id}`);
  }

  private focus(id: string): void {
    afterNextRender(() => this.document.getElementById(id)?.focus(), { injector: this.injector });
  }
}
