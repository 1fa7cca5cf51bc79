import { HttpErrorResponse } from '@angular/common/http';
import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { Router } from '@angular/router';

import { HOME_URL } from '../core/auth-guards';
import { AuthService } from '../core/auth-service';
import { inAppUrl } from '../notifications/in-app-url';

interface DemoAccount {
  readonly label: string;
  readonly email: string;
  readonly password: string;
}

/** The accounts the backend seeds on first start. */
const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { label: 'Admin', email: 'admin@clinic.test', password: 'Admin123!' },
  { label: 'Nurse', email: 'nurse@clinic.test', password: 'Nurse123!' },
  { label: 'Doctor', email: 'doctor@clinic.test', password: 'Doctor123!' },
];

type Field = 'email' | 'password';

@Component({
  selector: 'app-login-page',
  imports: [ReactiveFormsModule],
  templateUrl: './login-page.html',
  styleUrl: './login-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoginPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly emailInput = viewChild.required<ElementRef<HTMLInputElement>>('emailInput');

  /** Bound from the `returnUrl` query parameter that authGuard sets. */
  readonly returnUrl = input<string>();

  protected readonly demoAccounts = DEMO_ACCOUNTS;
  protected readonly submitting = signal(false);
  protected readonly errorMessage = signal<string | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email]],
    password: ['', Validators.required],
  });

  constructor() {
    afterNextRender(() => this.emailInput().nativeElement.focus());
  }

  protected signIn(): void {
    if (this.submitting()) {
      return;
    }
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      this.host.nativeElement.querySelector<HTMLElement>('input.ng-invalid')?.focus();
      return;
    }
    // Emptied first so that the same message twice in a row is announced again.
    this.errorMessage.set(null);
    this.submitting.set(true);
    const { email, password } = this.form.getRawValue();
    this.auth.login(email.trim(), password).subscribe({
      next: () => void this.router.navigateByUrl(safeReturnUrl(this.returnUrl())),
      error: (error: unknown) => {
        this.submitting.set(false);
        this.errorMessage.set(describeLoginError(error));
      },
    });
  }

  protected useDemoAccount(account: DemoAccount): void {
    this.form.setValue({ email: account.email, password: account.password });
    this.errorMessage.set(null);
  }

  protected showsError(field: Field): boolean {
    const control = this.form.controls[field];
    return control.invalid && control.touched;
  }
}

function describeLoginError(error: unknown): string {
  const status = error instanceof HttpErrorResponse ? error.status : -1;
  switch (status) {
    case 401:
      return 'Wrong email or password';
    case 429:
      return 'Too many attempts, try again in a minute';
    case 400:
      return 'Enter a valid email address and password';
    case 0:
      return 'Cannot reach the server. Check your connection and try again.';
    default:
      return 'Signing in failed because of a problem on our side. Try again in a moment.';
  }
}

/** Only paths inside this app, so a crafted link cannot send the user to another site. */
function safeReturnUrl(url: string | undefined): string {
  const inApp = inAppUrl(url);
  return inApp && !inApp.startsWith('/login') ? inApp : HOME_URL;
}
