import { afterNextRender, ChangeDetectionStrategy, Component, DestroyRef, ElementRef, inject, Injector, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { AbstractControl, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MIN_PASSWORD_LENGTH } from '@clinic/contracts';

import { describeHttpError } from '../core/http-errors';
import { Feedback } from '../common/feedback';
import { AccountApi } from './account-api';

type Field = 'currentPassword' | 'newPassword' | 'confirmation';

/** Everyone changes their own password here; their other devices are signed out. */
@Component({
  selector: 'app-change-password-page',
  imports: [ReactiveFormsModule],
  templateUrl: './change-password-page.html',
  styleUrl: './change-password-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChangePasswordPage {
  private readonly api = inject(AccountApi);
  private readonly destroyRef = inject(DestroyRef);
  private readonly injector = inject(Injector);
  private readonly document = (inject(ElementRef).nativeElement as HTMLElement).ownerDocument;

  protected readonly minLength = MIN_PASSWORD_LENGTH;
  protected readonly saving = signal(false);
  protected readonly feedback = signal<Feedback | null>(null);
  protected readonly showPasswords = signal(false);
  /** Errors of untouched fields show only once a submit was tried: after a success the emptied form is not wrong. */
  private readonly tried = signal(false);

  protected readonly form = inject(NonNullableFormBuilder).group(
    {
      currentPassword: ['', Validators.required],
      newPassword: ['', [Validators.required, Validators.minLength(MIN_PASSWORD_LENGTH), Validators.maxLength(200)]],
      confirmation: ['', Validators.required],
    },
    { validators: [matchingConfirmation] },
  );

  protected showsError(field: Field): boolean {
    const control = this.form.controls[field];
    const mismatch = field === 'confirmation' && this.form.hasError('mismatch') && control.value !== '';
    return (control.invalid || mismatch) && (control.dirty || this.tried());
  }

  protected submit(): void {
    if (this.saving()) return;
    if (this.form.invalid) {
      this.tried.set(true);
      const first = (['currentPassword', 'newPassword', 'confirmation'] as const).find((field) => this.showsError(field));
      if (first) this.focus(first);
      return;
    }
    const { currentPassword, newPassword } = this.form.getRawValue();
    this.saving.set(true);
    this.feedback.set(null);
    this.api
      .changePassword({ currentPassword, newPassword })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.saving.set(false);
          this.tried.set(false);
          this.form.reset();
          this.feedback.set({
            kind: 'success',
            text: $localize`:@@account.changed:Your password is changed. Your other devices were signed out: sign in there with the new password. This device stays signed in.`,
          });
          this.focus('password-feedback');
        },
        error: (error: unknown) => {
          this.saving.set(false);
          this.feedback.set({
            kind: 'error',
            text: describeHttpError(error, $localize`:@@account.actionChangePassword:change your password`, {
              403: $localize`:@@account.wrongCurrentPassword:The current password is not correct. Nothing was changed.`,
              429: $localize`:@@account.tooManyAttempts:Too many wrong current passwords. Wait a few minutes, then try again.`,
            }),
          });
          this.focus('password-feedback');
        },
      });
  }

  private focus(id: string): void {
    afterNextRender(() => this.document.getElementById(id)?.focus(), { injector: this.injector });
  }
}

function matchingConfirmation(group: AbstractControl): ValidationErrors | null {
  const newPassword = group.get('newPassword')?.value as string;
  const confirmation = group.get('confirmation')?.value as string;
  return confirmation && newPassword !== confirmation ? { mismatch: true } : null;
}
