import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, Signal, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { AbstractControl, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  AlertSettingsDto,
  EscalationTarget,
  IN_APP_PATH,
  MAX_ESCALATION_SECONDS,
  MAX_SCHEDULE_AHEAD_MS,
  NOTIFICATION_PRIORITIES,
  NotificationPriority,
  NotificationTarget,
  NotificationType,
  Role,
  ROLES,
  SENDABLE_TYPES,
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
import { formatFullDate } from '../common/full-date-pipe';
import { localTimeToIso } from '../common/local-time';
import { describeUnit, ROLE_AUDIENCES } from '../sends/send-labels';
import { SendsApi } from '../sends/sends-api';

type TargetKind = 'user' | 'team' | 'role' | 'all';
type EscalationKind = 'user' | 'team' | 'role';

/** What the escalation delay starts at: the server's default for CRITICAL sends. */
const DEFAULT_ESCALATION_SECONDS = 120;

/**
 * Admins send a notification to one user, a team's members, everyone with a role, or everyone;
 * optionally requiring acknowledgement, escalating when nobody acknowledges, or at a later time.
 */
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

  protected readonly types = SENDABLE_TYPES;
  protected readonly priorities = NOTIFICATION_PRIORITIES;
  protected readonly roles = ROLES;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly priorityLabels = PRIORITY_LABELS;
  protected readonly roleLabels = ROLE_AUDIENCES;
  /** After an admin's name and email in the person picker. */
  protected readonly adminMark = $localize`:@@admin.adminMark:admin`;
  protected readonly users = signal<readonly UserDto[]>([]);
  protected readonly usersFailed = signal(false);
  /** Null until loaded. */
  protected readonly teams = signal<readonly TeamDto[] | null>(null);
  protected readonly teamsFailed = signal(false);
  protected readonly sending = signal(false);
  protected readonly feedback = signal<Feedback | null>(null);
  /** The last send made from this page: its receipts are a link away. */
  protected readonly sentId = signal<string | null>(null);
  protected readonly maxEscalationSeconds = MAX_ESCALATION_SECONDS;

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
    requireAck: [false],
    escalate: [false],
    escalationSeconds: [
      { value: DEFAULT_ESCALATION_SECONDS, disabled: true },
      [Validators.required, Validators.min(1), Validators.max(MAX_ESCALATION_SECONDS), Validators.pattern(/^\d+$/)],
    ],
    escalationKind: ['role' as EscalationKind],
    escalationUserId: [''],
    escalationTeamId: [''],
    escalationRole: ['ADMIN' as Role],
    sendLater: [false],
    sendAt: [{ value: '', disabled: true }, scheduledTime],
  });
  protected readonly targetKind = this.watch(this.form.controls.targetKind);
  protected readonly priority = this.watch(this.form.controls.priority);
  protected readonly escalate = this.watch(this.form.controls.escalate);
  protected readonly escalationKind = this.watch(this.form.controls.escalationKind);
  protected readonly sendLater = this.watch(this.form.controls.sendLater);
  /** Acknowledgement is required whatever the checkbox says: for CRITICAL, and with an escalation (which an acknowledgement stops). */
  protected readonly ackImplied = computed<'critical' | 'escalation' | null>(() =>
    this.priority() === 'CRITICAL' ? 'critical' : this.escalate() ? 'escalation' : null,
  );
  /** The earliest time the picker offers, on the admin's clock. */
  protected readonly earliest = signal(localInputValue(new Date()));
  private idempotencyKey = newIdempotencyKey();
  /** The admin's own choice, kept while acknowledgement is implied. */
  private ackChoice = false;

  /** The server's escalation settings; null until loaded (the form then says "about"). */
  protected readonly alertSettings = signal<AlertSettingsDto | null>(null);
  protected readonly escalationMinSeconds = computed(() => this.alertSettings()?.escalationMinSeconds ?? null);
  protected readonly criticalEscalation = computed(() => {
    const settings = this.alertSettings();
    return settings ? describeSeconds(settings.criticalEscalateAfterSeconds) : null;
  });

  constructor() {
    inject(SendsApi)
      .settings()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (settings) => {
          this.alertSettings.set(settings);
          const control = this.form.controls.escalationSeconds;
          control.addValidators(Validators.min(settings.escalationMinSeconds));
          control.updateValueAndValidity({ emitEvent: false });
        },
        // The server still refuses too short an escalation, with a message.
        error: () => undefined,
      });
    inject(UsersApi)
      .listAll()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (all) => {
          // A deactivated account receives nothing.
          const users = all.filter((user) => user.active);
          this.users.set(users);
          if (!this.form.controls.escalationUserId.value && users.length) this.form.controls.escalationUserId.setValue(users[0].id);
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
          if (!this.form.controls.escalationTeamId.value && teams.length) this.form.controls.escalationTeamId.setValue(teams[0].id);
        },
        error: () => this.teamsFailed.set(true),
      });
    // Any edit makes it a new submission; an unchanged retry keeps the key and sends nothing twice.
    this.form.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => (this.idempotencyKey = newIdempotencyKey()));
    this.form.controls.priority.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => this.followAckRule());
    this.form.controls.escalate.valueChanges.pipe(takeUntilDestroyed()).subscribe((on) => {
      this.toggle(this.form.controls.escalationSeconds, on);
      this.followAckRule();
    });
    this.form.controls.sendLater.valueChanges.pipe(takeUntilDestroyed()).subscribe((on) => {
      this.earliest.set(localInputValue(new Date()));
      this.toggle(this.form.controls.sendAt, on);
    });
  }

  protected showsError(field: 'title' | 'message' | 'actionUrl' | 'actionText' | 'escalationSeconds' | 'sendAt'): boolean {
    const control = this.form.controls[field];
    return control.invalid && (control.touched || control.dirty);
  }

  protected sendAtError(): string {
    const errors = this.form.controls.sendAt.errors ?? {};
    if (errors['past']) return $localize`:@@admin.sendAtPast:Pick a time in the future`;
    if (errors['tooFar']) return $localize`:@@admin.sendAtTooFar:Pick a time at most 30 days ahead`;
    return $localize`:@@admin.sendAtRequired:Pick the date and time it goes out`;
  }

  protected send(): void {
    if (this.sending()) return;
    // "In the future" was judged when the time was picked; judge it again now.
    this.form.controls.sendAt.updateValueAndValidity();
    const value = this.form.getRawValue();
    const escalationTarget = value.escalate ? escalationTargetOf(value) : null;
    if (
      this.form.invalid ||
      (value.targetKind === 'user' && !value.userId) ||
      (value.targetKind === 'team' && !value.teamId) ||
      (value.escalate && !escalationTarget)
    ) {
      this.form.markAllAsTouched();
      this.feedback.set({ kind: 'error', text: $localize`:@@admin.checkFields:Check the highlighted fields.` });
      this.sentId.set(null);
      return;
    }
    const sendAt = value.sendLater ? localTimeToIso(value.sendAt) : undefined;
    const request: SendNotificationRequest = {
      title: value.title.trim(),
      message: value.message.trim(),
      type: value.type,
      target: targetOf(value),
      ...(value.priority ? { priority: value.priority } : {}),
      ...(value.actionUrl ? { actionUrl: value.actionUrl } : {}),
      ...(value.actionText.trim() ? { actionText: value.actionText.trim() } : {}),
      ...(value.requireAck ? { requireAck: true } : {}),
      ...(escalationTarget ? { escalation: { afterSeconds: Number(value.escalationSeconds), to: escalationTarget } } : {}),
      ...(sendAt ? { sendAt } : {}),
    };
    this.sending.set(true);
    this.feedback.set(null);
    this.sentId.set(null);
    this.api
      .send(request, this.idempotencyKey)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: ({ sendId, created, status, sendAt: goesOutAt }) => {
          this.sending.set(false);
          this.sentId.set(sendId);
          this.clearMessage();
          this.feedback.set({ kind: 'success', text: sentText(request.title, status === 'scheduled', goesOutAt ?? sendAt, created) });
        },
        error: (error: unknown) => {
          this.sending.set(false);
          this.feedback.set({ kind: 'error', text: describeHttpError(error, $localize`:@@admin.actionSend:send the notification`) });
        },
      });
  }

  /**
   * After a send, the message goes (a second click would send it again) and so do its alert
   * options; who it went to stays, for a follow-up to the same people.
   */
  private clearMessage(): void {
    // The choice kept while an escalation implied acknowledgement is cleared too.
    this.ackChoice = false;
    this.form.patchValue({ title: '', message: '', actionUrl: '', actionText: '', requireAck: false, escalate: false, sendLater: false, sendAt: '' });
    this.form.markAsPristine();
    this.form.markAsUntouched();
  }

  /** A typed view of one control's value, for the template. */
  private watch<T>(control: AbstractControl<T>): Signal<T> {
    return toSignal(control.valueChanges.pipe(startWith(control.value)), { requireSync: true });
  }

  private toggle(control: AbstractControl, on: boolean): void {
    if (on) control.enable({ emitEvent: false });
    else control.disable({ emitEvent: false });
  }

  /** While acknowledgement is implied, the checkbox shows it checked and cannot be changed. */
  private followAckRule(): void {
    const control = this.form.controls.requireAck;
    // The signals behind ackImplied took the new value already: they subscribed first.
    const implied = this.ackImplied() !== null;
    if (implied && control.enabled) {
      this.ackChoice = control.value;
      control.setValue(true, { emitEvent: false });
      control.disable({ emitEvent: false });
    } else if (!implied && control.disabled) {
      control.enable({ emitEvent: false });
      control.setValue(this.ackChoice, { emitEvent: false });
    }
  }
}

/** A picked time for "Send later": in the future, at most MAX_SCHEDULE_AHEAD_MS ahead. */
function scheduledTime(control: AbstractControl<string>): ValidationErrors | null {
  const iso = localTimeToIso(control.value);
  if (!iso) return { required: true };
  const ahead = Date.parse(iso) - Date.now();
  if (ahead <= 0) return { past: true };
  if (ahead > MAX_SCHEDULE_AHEAD_MS) return { tooFar: true };
  return null;
}

/** The `datetime-local` value of a moment on this computer's clock ("2026-12-01T14:05"). */
function localInputValue(time: Date): string {
  const pad = (part: number) => String(part).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}`;
}

function escalationTargetOf(value: {
  escalationKind: EscalationKind;
  escalationUserId: string;
  escalationTeamId: string;
  escalationRole: Role;
}): EscalationTarget | null {
  switch (value.escalationKind) {
    case 'user':
      return value.escalationUserId ? { userId: value.escalationUserId } : null;
    case 'team':
      return value.escalationTeamId ? { teamId: value.escalationTeamId } : null;
    case 'role':
      return { role: value.escalationRole };
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

/** What the page says once a send was accepted: scheduled (for when), or sent (to how many). */
function sentText(title: string, scheduled: boolean, at: string | undefined, created: number): string {
  if (scheduled) {
    return at
      ? $localize`:@@admin.scheduledFor:Scheduled “${title}:TITLE:” for ${formatFullDate(at)}:TIME:.`
      : $localize`:@@admin.scheduled:Scheduled “${title}:TITLE:”.`;
  }
  return created === 1
    ? $localize`:@@admin.sentToOne:Sent “${title}:TITLE:” to 1 person.`
    : $localize`:@@admin.sentToMany:Sent “${title}:TITLE:” to ${created}:COUNT: people.`;
}

/** "2 minutes", "45 seconds", "1 hour": how the hint says a period. */
export function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return describeUnit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return describeUnit(seconds / 60, 'minute');
  return describeUnit(seconds, 'second');
}
