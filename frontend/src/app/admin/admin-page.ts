import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  IN_APP_PATH,
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  NotificationPriority,
  NotificationTarget,
  NotificationType,
  Role,
  ROLES,
  SendNotificationRequest,
  TeamDto,
  UserDto,
} from '@clinic/contracts';
import { startWith } from 'rxjs';

import { describeHttpError } from '../core/http-errors';
import { newIdempotencyKey } from '../core/idempotency-key';
import { TeamsApi } from '../core/teams-api';
import { UsersApi } from '../core/users-api';
import { NotificationApi, PRIORITY_LABELS, TYPE_LABELS } from '../notifications';
import { Feedback } from '../common/feedback';

type TargetKind = 'user' | 'team' | 'role' | 'all';

const ROLE_LABELS: Readonly<Record<Role, string>> = { STAFF: 'All staff', ADMIN: 'All admins' };

/** Admins send a notification to one user, a team's members, everyone with a role, or everyone. */
@Component({
  selector: 'app-admin-page',
  imports: [ReactiveFormsModule, RouterLink],
  templateUrl: './admin-page.html',
  styleUrl: './admin-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminPage {
  private readonly api = inject(NotificationApi);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly types = NOTIFICATION_TYPES;
  protected readonly priorities = NOTIFICATION_PRIORITIES;
  protected readonly roles = ROLES;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly priorityLabels = PRIORITY_LABELS;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly users = signal<readonly UserDto[]>([]);
  protected readonly usersFailed = signal(false);
  /** Null until loaded. */
  protected readonly teams = signal<readonly TeamDto[] | null>(null);
  protected readonly teamsFailed = signal(false);
  protected readonly sending = signal(false);
  protected readonly feedback = signal<Feedback | null>(null);

  protected readonly form = inject(NonNullableFormBuilder).group({
    targetKind: ['user' as TargetKind],
    userId: [''],
    teamId: [''],
    role: ['STAFF' as Role],
    title: ['', [Validators.required, Validators.maxLength(200)]],
    message: ['', [Validators.required, Validators.maxLength(2000)]],
    type: ['GENERAL' as NotificationType],
    priority: ['' as NotificationPriority | ''],
    actionUrl: ['', [Validators.maxLength(500), Validators.pattern(IN_APP_PATH)]],
    actionText: ['', Validators.maxLength(50)],
  });
  protected readonly targetKind = toSignal(
    this.form.controls.targetKind.valueChanges.pipe(startWith(this.form.controls.targetKind.value)),
    { requireSync: true },
  );
  private idempotencyKey = newIdempotencyKey();

  constructor() {
    inject(UsersApi)
      .listAll()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (all) => {
          // A deactivated account receives nothing.
          const users = all.filter((user) => user.active);
          this.users.set(users);
          if (!this.form.controls.userId.value && users.length) this.form.controls.userId.setValue(users[0].id);
        },
        error: () => this.usersFailed.set(true),
      });
    inject(TeamsApi)
      .list()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (teams) => {
          this.teams.set(teams);
          if (!this.form.controls.teamId.value && teams.length) this.form.controls.teamId.setValue(teams[0].id);
        },
        error: () => this.teamsFailed.set(true),
      });
    // Any edit makes it a new submission; an unchanged retry keeps the key and sends nothing twice.
    this.form.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => (this.idempotencyKey = newIdempotencyKey()));
  }

  protected showsError(field: 'title' | 'message' | 'actionUrl' | 'actionText'): boolean {
    const control = this.form.controls[field];
    return control.invalid && (control.touched || control.dirty);
  }

  protected send(): void {
    if (this.sending()) return;
    const value = this.form.getRawValue();
    if (this.form.invalid || (value.targetKind === 'user' && !value.userId) || (value.targetKind === 'team' && !value.teamId)) {
      this.form.markAllAsTouched();
      this.feedback.set({ kind: 'error', text: 'Check the highlighted fields.' });
      return;
    }
    const target = targetOf(value);
    const request: SendNotificationRequest = {
      title: value.title.trim(),
      message: value.message.trim(),
      type: value.type,
      target,
      ...(value.priority ? { priority: value.priority } : {}),
      ...(value.actionUrl ? { actionUrl: value.actionUrl } : {}),
      ...(value.actionText.trim() ? { actionText: value.actionText.trim() } : {}),
    };
    this.sending.set(true);
    this.feedback.set(null);
    this.api
      .send(request, this.idempotencyKey)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: ({ created }) => {
          this.sending.set(false);
          this.feedback.set({
            kind: 'success',
            text: `Sent “${request.title}” to ${created} ${created === 1 ? 'person' : 'people'}.`,
          });
        },
        error: (error: unknown) => {
          this.sending.set(false);
          this.feedback.set({ kind: 'error', text: describeHttpError(error, 'send the notification') });
        },
      });
  }
}

function targetOf(value: { targetKind: TargetKind; userId: string; teamId: string; role: Role }): NotificationTarget {
  switch (value.targetKind) {
    case 'user':
      return { userId: value.userId };
    case 'team':
      return { teamId: value.teamId };
    case 'role':
      return { role: value.role };
    case 'all':
      return { all: true };
  }
}
