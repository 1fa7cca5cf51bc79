import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { AuthConfigDto } from '@clinic/contracts';
import type { MockInstance } from 'vitest';

import { signIn, tokenResponse } from '../../testing/auth-fixtures';
import { AUTH_API } from '../core/api-paths';
import { AuthService } from '../core/auth-service';
import { LoginPage } from './login-page';

const NOT_DEMO: AuthConfigDto = { demo: false, demoAccounts: [], currency: 'USD' };

describe('LoginPage', () => {
  let fixture: ComponentFixture<LoginPage>;
  let http: HttpTestingController;
  let navigateByUrl: MockInstance<Router['navigateByUrl']>;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [LoginPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
    navigateByUrl = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
  });

  afterEach(() => http.verify());

  /** Opens the page; the server answers its question about demo mode with `config`. */
  async function render(config: AuthConfigDto = NOT_DEMO): Promise<void> {
    fixture = TestBed.createComponent(LoginPage);
    await fixture.whenStable();
    http.expectOne(AUTH_API.config).flush(config);
    await fixture.whenStable();
  }

  const page = () => fixture.nativeElement as HTMLElement;
  const input = (label: string) => page().querySelector<HTMLInputElement>(`#login-${label}`)!;
  const liveRegion = () => page().querySelector('[aria-live]')!;

  function type(label: string, value: string): void {
    input(label).value = value;
    input(label).dispatchEvent(new Event('input'));
  }

  async function submit(email = 'nurse@clinic.test', password = 'Nurse123!'): Promise<void> {
    type('email', email);
    type('password', password);
    page().querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await fixture.whenStable();
  }

  async function failWith(status: number): Promise<void> {
    await render();
    await submit();
    http.expectOne(AUTH_API.login).flush({ message: 'refused' }, { status, statusText: 'Error' });
    await fixture.whenStable();
  }

  it('puts the cursor in the email field', async () => {
    await render();
    expect(document.activeElement).toBe(input('email'));
  });

  it('labels both fields', async () => {
    await render();
    expect(page().querySelector('label[for=login-email]')?.textContent).toContain('Email');
    expect(page().querySelector('label[for=login-password]')?.textContent).toContain('Password');
  });

  it('signs in and opens the notifications', async () => {
    await render();
    await submit();
    const request = http.expectOne(AUTH_API.login);
    expect(request.request.body).toEqual({ email: 'nurse@clinic.test', password: 'Nurse123!' });
    request.flush(tokenResponse(1));
    await fixture.whenStable();

    expect(TestBed.inject(AuthService).user()?.email).toBe('nurse@clinic.test');
    expect(navigateByUrl).toHaveBeenCalledWith('/notifications');
  });

  it('returns to the page the user was sent away from', async () => {
    await render();
    fixture.componentRef.setInput('returnUrl', '/orders?status=PENDING');
    await submit();
    http.expectOne(AUTH_API.login).flush(tokenResponse(1));
    await fixture.whenStable();

    expect(navigateByUrl).toHaveBeenCalledWith('/orders?status=PENDING');
  });

  it('ignores a return address outside the app', async () => {
    await render();
    fixture.componentRef.setInput('returnUrl', '//evil.example/phish');
    await submit();
    http.expectOne(AUTH_API.login).flush(tokenResponse(1));
    await fixture.whenStable();

    expect(navigateByUrl).toHaveBeenCalledWith('/notifications');
  });

  it('goes where the user was going when another tab signs in and this one joins the session', async () => {
    await render();
    fixture.componentRef.setInput('returnUrl', '/orders');
    await fixture.whenStable();
    expect(navigateByUrl).not.toHaveBeenCalled();

    signIn(1);
    await fixture.whenStable();

    expect(navigateByUrl).toHaveBeenCalledWith('/orders');
  });

  it('announces wrong credentials', async () => {
    await failWith(401);
    expect(liveRegion().textContent).toContain('Wrong email or password');
    expect(navigateByUrl).not.toHaveBeenCalled();
  });

  it('announces rate limiting', async () => {
    await failWith(429);
    expect(liveRegion().textContent).toContain('Too many attempts, try again in a minute');
  });

  it('announces that the server cannot be reached', async () => {
    await render();
    await submit();
    http.expectOne(AUTH_API.login).error(new ProgressEvent('error'));
    await fixture.whenStable();

    expect(liveRegion().textContent).toContain('Cannot reach the server');
  });

  it('does not send an incomplete form, and says what is missing', async () => {
    await render();
    await submit('not-an-email', '');

    http.expectNone(AUTH_API.login);
    expect(page().querySelector('#login-email-error')?.textContent).toContain('Enter an email address like');
    expect(page().querySelector('#login-password-error')?.textContent).toContain('Enter your password');
    expect(input('email').getAttribute('aria-invalid')).toBe('true');
    expect(input('email').getAttribute('aria-describedby')).toBe('login-email-error');
    expect(document.activeElement).toBe(input('email'));
  });

  it('says what is wrong with a field once the user leaves it, not while typing', async () => {
    await render();
    type('email', 'nurse@');
    await fixture.whenStable();
    expect(page().querySelector('#login-email-error')).toBeNull();

    input('email').dispatchEvent(new Event('blur'));
    await fixture.whenStable();
    expect(page().querySelector('#login-email-error')?.textContent).toContain('Enter an email address like');
    expect(page().querySelector('#login-password-error')).toBeNull();

    type('email', 'nurse@clinic.test');
    await fixture.whenStable();
    expect(page().querySelector('#login-email-error')).toBeNull();
    expect(input('email').getAttribute('aria-invalid')).toBe('false');
  });

  it('moves to the password when only the password is missing', async () => {
    await render();
    await submit('nurse@clinic.test', '');

    http.expectNone(AUTH_API.login);
    expect(page().querySelector('#login-email-error')).toBeNull();
    expect(document.activeElement).toBe(input('password'));
  });

  describe('session ended by the server', () => {
    const status = () => page().querySelector('[role=status]')!;

    it('says so in a status region, so that screen readers announce it', async () => {
      signIn(1).endRevokedSession();
      await render();

      expect(status().textContent).toContain('Your session was ended. Please sign in again.');
    });

    it('says nothing of the kind after the user signed out', async () => {
      signIn(1).logout();
      http.expectOne(AUTH_API.logout).flush(null, { status: 204, statusText: 'No Content' });
      await render();

      expect(status().textContent?.trim()).toBe('');
    });
  });

  describe('demo accounts', () => {
    const demoSection = () => page().querySelector('section[aria-labelledby=demo-title]');

    it('are not offered unless the server says it runs in demo mode', async () => {
      await render({ demo: false, demoAccounts: [{ email: 'x@clinic.test', password: 'not-shown', name: 'X', role: 'STAFF' }], currency: 'USD' });

      expect(demoSection()).toBeNull();
      expect(page().textContent).not.toContain('not-shown');
    });

    it('are not offered when the server cannot say', async () => {
      fixture = TestBed.createComponent(LoginPage);
      await fixture.whenStable();
      http.expectOne(AUTH_API.config).error(new ProgressEvent('error'));
      await fixture.whenStable();

      expect(demoSection()).toBeNull();
    });

    it('are the ones the server lists in demo mode, and fill in the form', async () => {
      await render({
        demo: true,
        demoAccounts: [
          { email: 'lab@clinic.test', password: 'Lab-demo-1', name: 'Lena Lab', role: 'STAFF' },
          { email: 'boss@clinic.test', password: 'Boss-demo-2', name: 'Bo Boss', role: 'ADMIN' },
        ],
        currency: 'USD',
      });

      const rows = [...demoSection()!.querySelectorAll('li')].map((row) =>
        ['.demo-name', '.demo-email', '.demo-password'].map((cell) => row.querySelector(cell)?.textContent?.replace(/\s+/g, ' ').trim()),
      );
      expect(rows).toEqual([
        ['Lena Lab Staff', 'lab@clinic.test', 'Lab-demo-1'],
        ['Bo Boss Admin', 'boss@clinic.test', 'Boss-demo-2'],
      ]);

      page().querySelector<HTMLButtonElement>('button[aria-label="Fill in the demo account of Bo Boss"]')!.click();
      await fixture.whenStable();

      expect(input('email').value).toBe('boss@clinic.test');
      expect(input('password').value).toBe('Boss-demo-2');
    });
  });
});
