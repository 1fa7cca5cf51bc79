import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import {
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  NotificationPriority,
  NotificationTarget,
  NotificationType,
  Role,
  ROLES,
  SendNotificationRequest,
  UserDto,
} from '@clinic/contracts';
import { startWith } from 'rxjs';

import { describeHttpError } from '../core/http-errors';
import { newIdempotencyKey } from '../core/idempotency-key';
import { UsersApi } from '../core/users-api';
import { NotificationApi } from '../notifications/notification-api';
import { PRIORITY_LABELS, TYPE_LABELS } from '../notifications/notification-labels';

type TargetKind = 'user' | 'role' | 'all';

/** An in-app path such as `/orders`, as the server accepts it: never `//host` or `/\host`. */
const IN_APP_PATH = /^\/(?![/\\])[^\s\\]*$/;

const ROLE_LABELS: Readonly<Record<Role, string>> = { STAFF: 'All staff', ADMIN: 'All admins' };

interface Feedback {
  readonly kind: 'success' | 'error';
  readonly text: string;
}

/** Admins send a notification to one user, everyone with a role, or everyone. */
@Component({
  selector: 'app-admin-page',
  imports: [ReactiveFormsModule],
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
  protected readonly sending = signal(false);
  protected readonly feedback = signal<Feedback | null>(null);

  protected readonly form = inject(NonNullableFormBuilder).group({
    targetKind: ['user' as TargetKind],
    userId: [''],
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
  protected readonly needsUser = computed(() => this.targetKind() === 'user');
  private idempotencyKey = newIdempotencyKey();

  constructor() {
    inject(UsersApi)
      .list()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (users) => {
          this.users.set(users);
          if (!this.form.controls.userId.value && users.length) this.form.controls.userId.setValue(users[0].id);
        },
        error: () => this.usersFailed.set(true),
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
    if (this.form.invalid || (value.targetKind === 'user' && !value.userId)) {
      this.form.markAllAsTouched();
      this.feedback.set({ kind: 'error', text: 'Check the highlighted fields.' });
      return;
    }
    const target: NotificationTarget =
      value.targetKind === 'user' ? { userId: value.userId } : value.targetKind === 'role' ? { role: value.role } : { all: true };
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
