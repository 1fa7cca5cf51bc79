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
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { FormControl, NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import type { AccountDto, TeamDetailDto, TeamDto } from '@clinic/contracts';
import { catchError, map, Observable, of, startWith, Subject, switchMap } from 'rxjs';

import { describeHttpError, ErrorWording } from '../core/http-errors';
import { TeamsApi } from '../core/teams-api';
import { UsersApi } from '../core/users-api';
import { Feedback } from '../common/feedback';

const NAME_VALIDATORS = [Validators.required, Validators.maxLength(100)];
const DUPLICATE_NAME = $localize`:@@teams.duplicateName:Another team already has this name (letter case does not matter). Choose another one.`;

type DetailAnswer = { readonly team: TeamDetailDto } | { readonly error: unknown };

/** Admins create, rename and delete teams and choose their members. */
@Component({
  selector: 'app-teams-page',
  imports: [ReactiveFormsModule],
  templateUrl: './teams-page.html',
  styleUrl: './teams-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TeamsPage {
  private readonly api = inject(TeamsApi);
  private readonly destroyRef = inject(DestroyRef);
  private readonly injector = inject(Injector);
  private readonly document = (inject(ElementRef).nativeElement as HTMLElement).ownerDocument;
  private readonly selections = new Subject<string>();

  protected readonly teams = signal<readonly TeamDto[]>([]);
  protected readonly status = signal<'loading' | 'ready' | 'failed'>('loading');
  protected readonly users = signal<readonly AccountDto[]>([]);
  protected readonly usersFailed = signal(false);
  protected readonly feedback = signal<Feedback | null>(null);

  protected readonly selected = signal<TeamDetailDto | null>(null);
  protected readonly selectedId = signal<string | null>(null);
  protected readonly detailFailed = signal(false);
  protected readonly detailFeedback = signal<Feedback | null>(null);
  /** The members as ticked, not yet saved. */
  protected readonly members = signal<ReadonlySet<string>>(new Set());
  protected readonly busy = signal(false);

  private readonly forms = inject(NonNullableFormBuilder);
  protected readonly createForm = this.forms.group({ name: ['', NAME_VALIDATORS] });
  protected readonly renameForm = this.forms.group({ name: ['', NAME_VALIDATORS] });
  protected readonly createError = signal<string | null>(null);
  /** The name's error shows once a create was tried, not when the emptied field loses focus after one. */
  protected readonly createTried = signal(false);
  protected readonly creating = signal(false);
  protected readonly memberFilter = new FormControl('', { nonNullable: true });
  private readonly filterText = toSignal(this.memberFilter.valueChanges.pipe(startWith('')), { requireSync: true });

  protected readonly shownUsers = computed(() => {
    const text = this.filterText().trim().toLowerCase();
    return text ? this.users().filter((user) => `${user.name} ${user.email}`.toLowerCase().includes(text)) : this.users();
  });
  protected readonly memberChanges = computed(() => {
    const saved = new Set(this.selected()?.members.map((member) => member.id) ?? []);
    const ticked = this.members();
    return {
      added: [...ticked].filter((id) => !saved.has(id)).length,
      removed: [...saved].filter((id) => !ticked.has(id)).length,
    };
  });
  protected readonly membersChanged = computed(() => this.memberChanges().added + this.memberChanges().removed > 0);

  constructor() {
    this.selections
      .pipe(
        switchMap((id) =>
          this.api.get(id).pipe(
            map((team): DetailAnswer => ({ team })),
            catchError((error: unknown) => of<DetailAnswer>({ error })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((answer) => {
        if ('error' in answer) {
          this.detailFailed.set(true);
          this.detailFeedback.set({ kind: 'error', text: describeHttpError(answer.error, $localize`:@@teams.actionOpen:open the team`) });
          return;
        }
        this.showTeam(answer.team);
        this.focus('team-detail-title');
      });
    inject(UsersApi)
      .listAll()
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (users) => this.users.set(users), error: () => this.usersFailed.set(true) });
    this.reload();
  }

  protected reload(): void {
    this.status.set('loading');
    this.api
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (teams) => {
          this.teams.set(teams);
          this.status.set('ready');
        },
        error: () => this.status.set('failed'),
      });
  }

  protected select(team: TeamDto): void {
    this.selectedId.set(team.id);
    this.selected.set(null);
    this.detailFailed.set(false);
    this.detailFeedback.set(null);
    this.memberFilter.setValue('');
    this.selections.next(team.id);
  }

  protected create(): void {
    if (this.creating()) return;
    if (this.createForm.invalid) {
      this.createTried.set(true);
      this.focus('new-team-name');
      return;
    }
    const name = this.createForm.getRawValue().name.trim();
    this.creating.set(true);
    this.createError.set(null);
    this.api
      .create({ name })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (team) => {
          this.creating.set(false);
          this.createTried.set(false);
          this.createForm.reset();
          this.upsert(team);
          this.selectedId.set(team.id);
          this.showTeam(team);
          this.detailFeedback.set({ kind: 'success', text: $localize`:@@teams.created:Team ${team.name}:NAME: created. Choose its members below.` });
          this.focus('team-detail-title');
        },
        error: (error: unknown) => {
          this.creating.set(false);
          this.createError.set(describeHttpError(error, $localize`:@@teams.actionCreate:create the team`, { 409: DUPLICATE_NAME }));
        },
      });
  }

  protected rename(team: TeamDetailDto): void {
    if (this.busy()) return;
    if (this.renameForm.invalid) {
      this.renameForm.markAllAsTouched();
      this.focus('team-name');
      return;
    }
    const name = this.renameForm.getRawValue().name.trim();
    if (name === team.name) return;
    this.change(
      this.api.rename(team.id, name),
      $localize`:@@teams.actionRename:rename the team`,
      { succeeded: 'team-name', failed: 'team-name' },
      (updated) => $localize`:@@teams.renamed:Renamed to ${updated.name}:NAME:.`,
      { 409: DUPLICATE_NAME },
    );
  }

  protected setMember(userId: string, member: boolean): void {
    this.members.update((ids) => {
      const next = new Set(ids);
      if (member) next.add(userId);
      else next.delete(userId);
      return next;
    });
  }

  protected saveMembers(team: TeamDetailDto): void {
    if (this.busy() || !this.membersChanged()) return;
    // Once saved the button is disabled (nothing left to save), so focus goes to the team's heading.
    this.change(
      this.api.setMembers(team.id, [...this.members()]),
      $localize`:@@teams.actionSaveMembers:save the members`,
      { succeeded: 'team-detail-title', failed: 'save-members' },
      (updated) =>
        updated.members.length === 1
          ? $localize`:@@teams.membersSavedOne:${updated.name}:NAME: now has 1 member. The change applies at once, also on open devices.`
          : $localize`:@@teams.membersSaved:${updated.name}:NAME: now has ${updated.members.length}:COUNT: members. The change applies at once, also on open devices.`,
    );
  }

  protected delete(team: TeamDetailDto): void {
    const members = team.members.length;
    const question =
      members === 1
        ? $localize`:@@teams.confirmDeleteOne:Delete the team ${team.name}:NAME:? Its 1 member keeps their account, but orders assigned to the team lose their team: members who only saw them through it no longer do.`
        : $localize`:@@teams.confirmDelete:Delete the team ${team.name}:NAME:? Its ${members}:COUNT: members keep their account, but orders assigned to the team lose their team: members who only saw them through it no longer do.`;
    if (this.busy() || !confirm(question)) return;
    this.busy.set(true);
    this.api
      .delete(team.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.busy.set(false);
          this.teams.update((teams) => teams.filter((existing) => existing.id !== team.id));
          this.selected.set(null);
          this.selectedId.set(null);
          this.feedback.set({ kind: 'success', text: $localize`:@@teams.deleted:Team ${team.name}:NAME: deleted.` });
          this.focus('teams-list-title');
        },
        error: (error: unknown) => {
          this.busy.set(false);
          this.detailFeedback.set({ kind: 'error', text: describeHttpError(error, $localize`:@@teams.actionDelete:delete the team`) });
          this.focus('delete-team');
        },
      });
  }

  private change(
    request: Observable<TeamDetailDto>,
    action: string,
    focusAfter: { readonly succeeded: string; readonly failed: string },
    success: (team: TeamDetailDto) => string,
    wording: ErrorWording = {},
  ): void {
    this.busy.set(true);
    this.detailFeedback.set(null);
    request.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (team) => {
        this.busy.set(false);
        this.upsert(team);
        this.showTeam(team);
        this.detailFeedback.set({ kind: 'success', text: success(team) });
        this.focus(focusAfter.succeeded);
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.detailFeedback.set({ kind: 'error', text: describeHttpError(error, action, wording) });
        this.focus(focusAfter.failed);
      },
    });
  }

  private showTeam(team: TeamDetailDto): void {
    this.selected.set(team);
    this.members.set(new Set(team.members.map((member) => member.id)));
    this.renameForm.reset({ name: team.name });
  }

  /** Puts a created or changed team in the list, which stays by name. */
  private upsert(team: TeamDto): void {
    const { id, name, createdAt, memberCount, isMember } = team;
    const entry: TeamDto = { id, name, createdAt, memberCount, isMember };
    this.teams.update((teams) =>
      [...teams.filter((existing) => existing.id !== id), entry].sort((a, b) => a.name.localeCompare(b.name)),
    );
  }

  private focus(id: string): void {
    afterNextRender(() => this.document.getElementById(id)?.focus(), { injector: this.injector });
  }
}
