import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  ElementRef,
  inject,
  Injector,
  input,
  output,
  untracked,
  viewChild,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  AccountDto,
  CreateUserRequest,
  MIN_PASSWORD_LENGTH,
  Role,
  ROLES,
  TeamDto,
  UpdateUserRequest,
} from '@clinic/contracts';
import { startWith } from 'rxjs';

import { normalizePhone, phoneValidator } from '../common/phone';
import { ROLE_LABELS } from './role-labels';

type PasswordChoice = 'generate' | 'type';

/** Gives each form's fields ids of their own, for their labels. */
let nextFormId = 0;
type Field = 'name' | 'email' | 'phone' | 'password';

/**
 * The form of a new user (`user` null) or of an existing one: name, role, teams and phone, plus
 * email and initial password for a new one. It only checks and emits; the page talks to the server.
 */
@Component({
  selector: 'app-user-form',
  imports: [ReactiveFormsModule, RouterLink],
  templateUrl: './user-form.html',
  styleUrl: './user-form.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UserForm {
  private readonly injector = inject(Injector);
  private readonly nameInput = viewChild.required<ElementRef<HTMLInputElement>>('nameInput');

  /** Null for a new user. */
  readonly user = input<AccountDto | null>(null);
  readonly teams = input.required<readonly TeamDto[]>();
  /** The admin's own account: they may not change their own role. */
  readonly isSelf = input(false);
  readonly saving = input(false);
  /** What the server said about the last attempt. */
  readonly error = input<string | null>(null);

  readonly create = output<CreateUserRequest>();
  readonly update = output<UpdateUserRequest>();
  readonly cancelled = output<void>();

  protected readonly roles = ROLES;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly minPasswordLength = MIN_PASSWORD_LENGTH;
  protected readonly formId = `user-form-${nextFormId++}`;

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(200)]],
    email: ['', [Validators.required, Validators.email, Validators.maxLength(254)]],
    role: ['STAFF' as Role],
    teamIds: [[] as string[]],
    phone: ['', phoneValidator],
    passwordChoice: ['generate' as PasswordChoice],
    password: ['', [Validators.minLength(MIN_PASSWORD_LENGTH), Validators.maxLength(200)]],
  });

  private readonly value = toSignal(this.form.valueChanges.pipe(startWith(this.form.getRawValue())), { requireSync: true });
  protected readonly isNew = computed(() => this.user() === null);
  protected readonly selectedTeams = computed(() => new Set(this.value().teamIds ?? []));
  protected readonly typesPassword = computed(() => this.value().passwordChoice === 'type');
  protected readonly roleChanges = computed(() => {
    const user = this.user();
    return user !== null && this.value().role !== user.role;
  });

  constructor() {
    // A new user, or another user to edit: start from what they have, and put the cursor in the form.
    effect(() => {
      const user = this.user();
      untracked(() => this.startFrom(user));
    });
  }

  protected showsError(field: Field): boolean {
    const control = this.form.controls[field];
    return control.invalid && (control.touched || control.dirty);
  }

  protected setTeam(teamId: string, member: boolean): void {
    const current = this.form.controls.teamIds.value;
    const next = member ? [...current.filter((id) => id !== teamId), teamId] : current.filter((id) => id !== teamId);
    this.form.controls.teamIds.setValue(next);
    this.form.controls.teamIds.markAsDirty();
  }

  protected submit(): void {
    if (this.saving()) return;
    const user = this.user();
    const value = this.form.getRawValue();
    const passwordMissing = user === null && value.passwordChoice === 'type' && value.password === '';
    const checked: Field[] = ['name', 'phone'];
    if (user === null) checked.push('email');
    if (user === null && value.passwordChoice === 'type') checked.push('password');
    const invalid = checked.some((field) => this.form.controls[field].invalid);
    if (invalid || passwordMissing) {
      this.form.markAllAsTouched();
      if (passwordMissing) this.form.controls.password.setErrors({ required: true });
      this.focusFirstInvalid();
      return;
    }
    const name = value.name.trim();
    const phone = normalizePhone(value.phone);
    if (user === null) {
      this.create.emit({
        email: value.email.trim(),
        name,
        role: value.role,
        teamIds: value.teamIds,
        ...(phone ? { phone } : {}),
        ...(value.passwordChoice === 'type' ? { password: value.password } : {}),
      });
      return;
    }
    const changes: UpdateUserRequest = {
      ...(name !== user.name ? { name } : {}),
      ...(value.role !== user.role ? { role: value.role } : {}),
      ...(phone !== (user.phone ?? '') ? { phone: phone || null } : {}),
      ...(sameIds(value.teamIds, user.teams.map((team) => team.id)) ? {} : { teamIds: value.teamIds }),
    };
    this.update.emit(changes);
  }

  protected cancel(): void {
    this.cancelled.emit();
  }

  private startFrom(user: AccountDto | null): void {
    this.form.reset({
      name: user?.name ?? '',
      email: user?.email ?? '',
      role: user?.role ?? 'STAFF',
      teamIds: user?.teams.map((team) => team.id) ?? [],
      phone: user?.phone ?? '',
      passwordChoice: 'generate',
      password: '',
    });
    if (user !== null && this.isSelf()) this.form.controls.role.disable();
    else this.form.controls.role.enable();
    afterNextRender(() => this.nameInput().nativeElement.focus(), { injector: this.injector });
  }

  private focusFirstInvalid(): void {
    afterNextRender(
      () => {
        const form = this.nameInput().nativeElement.form;
        form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      },
      { injector: this.injector },
    );
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
