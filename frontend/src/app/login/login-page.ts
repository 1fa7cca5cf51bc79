import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  ElementRef,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import type { DemoAccount, Role } from '@clinic/contracts';
import { catchError, map, of } from 'rxjs';

import { HOME_URL } from '../core/auth-guards';
import { AuthService } from '../core/auth-service';
import { describeHttpError, ErrorWording } from '../core/http-errors';
import { inAppUrl } from '../core/in-app-url';

const ROLE_LABELS: Readonly<Record<Role, string>> = { ADMIN: $localize`:@@common.roleAdmin:Admin`, STAFF: $localize`:@@common.roleStaff:Staff` };

type Field = 'email' | 'password';
type FieldError = 'required' | 'invalid';

/**
 * The browser's own rule for `type="email"` (the HTML standard's "valid email address"), so that
 * the form accepts what the field's type promises. The page keeps its form in signals rather than
 * @angular/forms: that package would be most of the start-up JavaScript added for two fields.
 */
const EMAIL_PATTERN = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** At sign-in a 401 means a wrong email or password, not a lack of permission. */
const SIGN_IN_ERRORS: ErrorWording = {
  401: $localize`:@@login.wrongCredentials:Wrong email or password`,
  429: $localize`:@@login.tooManyAttempts:Too many attempts, try again in a minute`,
  400: $localize`:@@login.invalidInput:Enter a valid email address and password`,
  0: $localize`:@@login.unreachable:Cannot reach the server. Check your connection and try again.`,
  other: $localize`:@@login.serverProblem:Signing in failed because of a problem on our side. Try again in a moment.`,
};

@Component({
  selector: 'app-login-page',
  templateUrl: './login-page.html',
  styleUrl: './login-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoginPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly emailInput = viewChild.required<ElementRef<HTMLInputElement>>('emailInput');
  private readonly passwordInput = viewChild.required<ElementRef<HTMLInputElement>>('passwordInput');
  private readonly rendered = signal(false);

  /** Bound from the `returnUrl` query parameter that authGuard sets. */
  readonly returnUrl = input<string>();

  /** Listed only when the server says it runs in demo mode; it alone knows the accounts. */
  protected readonly demoAccounts = toSignal(
    this.auth.config().pipe(
      map((config) => (config.demo ? config.demoAccounts : [])),
      catchError(() => of([])),
    ),
    { initialValue: [] },
  );
  protected readonly roleLabels = ROLE_LABELS;
  /** Filled in after the first render, so that screen readers announce it in the status region. */
  protected readonly sessionEnded = computed(() => this.rendered() && this.auth.sessionEndedByServer());
  protected readonly submitting = signal(false);
  protected readonly errorMessage = signal<string | null>(null);
  protected readonly values = signal<Readonly<Record<Field, string>>>({ email: '', password: '' });
  /** A field's error shows once the user has left it, or tried to sign in. */
  private readonly touched = signal<Readonly<Record<Field, boolean>>>({ email: false, password: false });
  protected readonly errors = computed<Readonly<Record<Field, FieldError | null>>>(() => {
    const { email, password } = this.values();
    return {
      email: email === '' ? 'required' : EMAIL_PATTERN.test(email) ? null : 'invalid',
      password: password === '' ? 'required' : null,
    };
  });

  constructor() {
    afterNextRender(() => {
      this.emailInput().nativeElement.focus();
      this.rendered.set(true);
    });
    // Signed in here, or another tab signed in and this one joined its session.
    effect(() => {
      if (this.auth.isAuthenticated()) {
        untracked(() => void this.router.navigateByUrl(safeReturnUrl(this.returnUrl())));
      }
    });
  }

  protected edit(field: Field, event: Event): void {
    const { value } = event.target as HTMLInputElement;
    this.values.update((values) => ({ ...values, [field]: value }));
  }

  protected leave(field: Field): void {
    this.touched.update((touched) => ({ ...touched, [field]: true }));
  }

  protected signIn(event: SubmitEvent): void {
    event.preventDefault();
    if (this.submitting()) {
      return;
    }
    const errors = this.errors();
    if (errors.email || errors.password) {
      this.touched.set({ email: true, password: true });
      (errors.email ? this.emailInput() : this.passwordInput()).nativeElement.focus();
      return;
    }
    // Emptied first so that the same message twice in a row is announced again.
    this.errorMessage.set(null);
    this.submitting.set(true);
    const { email, password } = this.values();
    this.auth.login(email.trim(), password).subscribe({
      error: (error: unknown) => {
        this.submitting.set(false);
        this.errorMessage.set(describeHttpError(error, $localize`:@@login.actionSignIn:sign in`, SIGN_IN_ERRORS));
      },
    });
  }

  protected demoAccountLabel(account: DemoAccount): string {
    return $localize`:@@login.useDemoAccountLabel:Fill in the demo account of ${account.name}:NAME:`;
  }

  protected useDemoAccount(account: DemoAccount): void {
    this.values.set({ email: account.email, password: account.password });
    this.errorMessage.set(null);
  }

  protected showsError(field: Field): boolean {
    return this.errors()[field] !== null && this.touched()[field];
  }
}

/** Only paths inside this app, so a crafted link cannot send the user to another site. */
function safeReturnUrl(url: string | undefined): string {
  const inApp = inAppUrl(url);
  return inApp && !inApp.startsWith('/login') ? inApp : HOME_URL;
}
