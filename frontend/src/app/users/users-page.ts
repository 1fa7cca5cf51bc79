import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  Injector,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import type { AccountDto, AccountPageDto, CreateUserRequest, TeamDto, UpdateUserRequest } from '@clinic/contracts';
import { catchError, debounceTime, distinctUntilChanged, map, Observable, of, Subject, switchMap, tap } from 'rxjs';

import { AuthService } from '../core/auth-service';
import { describeHttpError } from '../core/http-errors';
import { TeamsApi } from '../core/teams-api';
import { UsersApi } from '../core/users-api';
import { Feedback } from '../common/feedback';
import { OneTimePassword } from './one-time-password';
import { ROLE_LABELS } from './role-labels';
import { UserForm } from './user-form';
import { LoadMoreButton } from '../common/load-more-button';

/** The side panel: a new user, or the user being edited. */
type Panel = { readonly kind: 'create' } | { readonly kind: 'edit'; readonly user: AccountDto };

/** A password the server answered once, shown until the admin closes it. */
interface Secret {
  readonly id: number;
  readonly title: string;
  readonly password: string;
  /** Where focus goes back to once it is closed. */
  readonly returnFocusTo: string;
}

interface PageRequest {
  readonly q: string;
  readonly cursor: string | null;
}

type PageAnswer = { readonly request: PageRequest } & ({ readonly page: AccountPageDto } | { readonly error: unknown });

/** Admins search the clinic's accounts, create them, edit them, deactivate them and reset passwords. */
@Component({
  selector: 'app-users-page',
  imports: [ReactiveFormsModule, LoadMoreButton, OneTimePassword, UserForm],
  templateUrl: './users-page.html',
  styleUrl: './users-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UsersPage {
  private readonly api = inject(UsersApi);
  private readonly destroyRef = inject(DestroyRef);
  private readonly injector = inject(Injector);
  private readonly host: HTMLElement = inject(ElementRef).nativeElement;
  private readonly requests = new Subject<PageRequest>();
  private nextSecretId = 0;

  protected readonly roleLabels = ROLE_LABELS;
  private readonly auth = inject(AuthService);

  protected readonly selfId = computed(() => this.auth.user()?.id ?? null);
  protected readonly search = new FormControl('', { nonNullable: true });
  protected readonly users = signal<readonly AccountDto[]>([]);
  /** The search the list shows the results of. */
  protected readonly query = signal('');
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly status = signal<'loading' | 'ready' | 'failed'>('loading');
  protected readonly loadingMore = signal(false);
  protected readonly teams = signal<readonly TeamDto[]>([]);
  /** Ids of users with a change on its way, so their buttons wait. */
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  protected readonly panel = signal<Panel | null>(null);
  protected readonly saving = signal(false);
  protected readonly formError = signal<string | null>(null);
  protected readonly feedback = signal<Feedback | null>(null);
  protected readonly secrets = signal<readonly Secret[]>([]);
  private panelOpener = 'new-user';

  constructor() {
    this.requests
      .pipe(
        // A new search or a reload supersedes whatever page was still on its way.
        switchMap((request) =>
          this.api.search({ q: request.q, cursor: request.cursor }).pipe(
            map((page): PageAnswer => ({ request, page })),
            catchError((error: unknown) => of<PageAnswer>({ request, error })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((answer) => this.show(answer));
    this.search.valueChanges
      .pipe(
        map((q) => q.trim()),
        debounceTime(250),
        distinctUntilChanged(),
        takeUntilDestroyed(),
      )
      .subscribe((q) => this.load(q));
    inject(TeamsApi)
      .list()
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (teams) => this.teams.set(teams), error: () => undefined });
    this.load('');
  }

  protected teamNames(user: AccountDto): string {
    return user.teams.map((team) => team.name).join(', ');
  }

  protected reload(): void {
    this.load(this.query());
  }

  protected loadMore(): void {
    const cursor = this.nextCursor();
    if (!cursor || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.requests.next({ q: this.query(), cursor });
  }

  protected openCreate(): void {
    this.panelOpener = 'new-user';
    this.formError.set(null);
    this.panel.set({ kind: 'create' });
  }

  protected edit(user: AccountDto): void {
    this.panelOpener = `edit-${user.id}`;
    this.formError.set(null);
    this.panel.set({ kind: 'edit', user });
  }

  protected closePanel(): void {
    this.panel.set(null);
    this.focus(this.panelOpener);
  }

  protected createUser(request: CreateUserRequest): void {
    this.saving.set(true);
    this.formError.set(null);
    this.api
      .create(request)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: ({ user, initialPassword }) => {
          this.saving.set(false);
          this.panel.set(null);
          this.feedback.set({ kind: 'success', text: $localize`:@@users.created:Account for ${user.name}:NAME: created.` });
          if (initialPassword) this.reveal($localize`:@@users.firstPasswordTitle:${user.name}:NAME:'s first password`, initialPassword, 'new-user');
          else this.focus('new-user');
          this.reload();
        },
        error: (error: unknown) => {
          this.saving.set(false);
          this.formError.set(
            describeHttpError(error, $localize`:@@users.actionCreate:create the user`, {
              409: $localize`:@@users.emailTaken:An account with this email already exists. Use another email, or search for that account.`,
              404: $localize`:@@users.teamGone:A team you picked no longer exists. Reload the page and pick the teams again.`,
            }),
          );
        },
      });
  }

  protected saveUser(user: AccountDto, changes: UpdateUserRequest): void {
    if (Object.keys(changes).length === 0) {
      this.feedback.set({ kind: 'success', text: $localize`:@@users.nothingChanged:Nothing to save for ${user.name}:NAME:: nothing was changed.` });
      this.closePanel();
      return;
    }
    this.saving.set(true);
    this.formError.set(null);
    this.api
      .update(user.id, changes)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (updated) => {
          this.saving.set(false);
          this.replace(updated);
          const text = changes.role
            ? $localize`:@@users.savedRoleChanged:Changes to ${updated.name}:NAME: saved. They were signed out on all their devices and sign in again with the new role.`
            : $localize`:@@users.saved:Changes to ${updated.name}:NAME: saved.`;
          this.feedback.set({ kind: 'success', text });
          this.closePanel();
        },
        error: (error: unknown) => {
          this.saving.set(false);
          this.formError.set(
            describeHttpError(error, $localize`:@@users.actionSave:save the changes`, {
              404: $localize`:@@users.userOrTeamGone:This user or a team you picked no longer exists. Reload the page and try again.`,
            }),
          );
        },
      });
  }

  protected setActive(user: AccountDto, active: boolean): void {
    const question = active
      ? $localize`:@@users.confirmReactivate:Reactivate ${user.name}:NAME:? They can sign in again with their password and receive notifications.`
      : $localize`:@@users.confirmDeactivate:Deactivate ${user.name}:NAME:? They are signed out on all their devices at once, cannot sign in and receive no notifications until an admin reactivates them.`;
    if (!confirm(question)) return;
    const change = active ? this.api.reactivate(user.id) : this.api.deactivate(user.id);
    const button = `activation-${user.id}`;
    const action = active ? $localize`:@@users.actionReactivate:reactivate the user` : $localize`:@@users.actionDeactivate:deactivate the user`;
    this.act(user, change, button, action, (updated) => {
      this.feedback.set({
        kind: 'success',
        text: active
          ? $localize`:@@users.reactivated:${updated.name}:NAME: is active again.`
          : $localize`:@@users.deactivated:${updated.name}:NAME: is deactivated and was signed out everywhere.`,
      });
      this.focus(button);
    });
  }

  protected resetPassword(user: AccountDto): void {
    const question = $localize`:@@users.confirmReset:Reset the password of ${user.name}:NAME:? Their current password stops working and they are signed out on all their devices. You will see the new password once, to hand to them.`;
    if (!confirm(question)) return;
    const button = `reset-${user.id}`;
    const reset = this.api.resetPassword(user.id).pipe(
      tap(({ user: updated, temporaryPassword }) => this.reveal($localize`:@@users.newPasswordTitle:New password for ${updated.name}:NAME:`, temporaryPassword, button)),
      map(({ user: updated }) => updated),
    );
    this.act(user, reset, button, $localize`:@@users.actionReset:reset the password`, (updated) =>
      this.feedback.set({ kind: 'success', text: $localize`:@@users.passwordReset:${updated.name}:NAME:'s password was reset and they were signed out everywhere.` }),
    );
  }

  protected closeSecret(secret: Secret): void {
    this.secrets.update((secrets) => secrets.filter((shown) => shown.id !== secret.id));
    this.focus(secret.returnFocusTo);
  }

  private load(q: string): void {
    this.status.set('loading');
    this.loadingMore.set(false);
    this.requests.next({ q, cursor: null });
  }

  private show(answer: PageAnswer): void {
    const { request } = answer;
    if (request.cursor) this.loadingMore.set(false);
    if ('error' in answer) {
      if (request.cursor) this.feedback.set({ kind: 'error', text: describeHttpError(answer.error, $localize`:@@users.actionLoadMore:load more users`) });
      else this.status.set('failed');
      return;
    }
    const { page } = answer;
    this.query.set(request.q);
    this.nextCursor.set(page.nextCursor);
    this.status.set('ready');
    if (!request.cursor) {
      this.users.set(page.items);
      return;
    }
    const known = new Set(this.users().map((user) => user.id));
    const added = page.items.filter((user) => !known.has(user.id));
    this.users.update((users) => [...users, ...added]);
    // The button that was pressed may be gone now: go on from the first user it brought.
    if (added.length > 0) this.focus(`edit-${added[0].id}`);
  }

  /** Runs a change of one user's row; on failure, says why and puts focus back on its button. */
  private act(user: AccountDto, change: Observable<AccountDto>, button: string, action: string, done: (updated: AccountDto) => void): void {
    this.busy.update((ids) => new Set(ids).add(user.id));
    this.feedback.set(null);
    change.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (updated) => {
        this.settle(user.id);
        this.replace(updated);
        done(updated);
      },
      error: (error: unknown) => {
        this.settle(user.id);
        this.feedback.set({ kind: 'error', text: describeHttpError(error, action) });
        this.focus(button);
      },
    });
  }

  private reveal(title: string, password: string, returnFocusTo: string): void {
    const secret: Secret = { id: this.nextSecretId++, title, password, returnFocusTo };
    this.secrets.update((secrets) => [...secrets, secret]);
  }

  private replace(updated: AccountDto): void {
    this.users.update((users) => users.map((user) => (user.id === updated.id ? updated : user)));
  }

  private settle(id: string): void {
    this.busy.update((ids) => {
      const next = new Set(ids);
      next.delete(id);
      return next;
    });
  }

  /** Moves focus to the element with this id once the view shows the change. */
  private focus(id: string): void {
    afterNextRender(() => this.host.ownerDocument.getElementById(id)?.focus(), { injector: this.injector });
  }
}
