import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { MockInstance } from 'vitest';

import { tokenResponse } from '../../testing/auth-fixtures';
import { AUTH_API, AuthService } from '../core/auth-service';
import { LoginPage } from './login-page';

describe('LoginPage', () => {
  let fixture: ComponentFixture<LoginPage>;
  let http: HttpTestingController;
  let navigateByUrl: MockInstance<Router['navigateByUrl']>;

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({
      imports: [LoginPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
    navigateByUrl = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    fixture = TestBed.createComponent(LoginPage);
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

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
    await submit();
    http.expectOne(AUTH_API.login).flush({ message: 'refused' }, { status, statusText: 'Error' });
    await fixture.whenStable();
  }

  it('puts the cursor in the email field', () => {
    expect(document.activeElement).toBe(input('email'));
  });

  it('labels both fields', () => {
    expect(page().querySelector('label[for=login-email]')?.textContent).toContain('Email');
    expect(page().querySelector('label[for=login-password]')?.textContent).toContain('Password');
  });

  it('signs in and opens the notifications', async () => {
    await submit();
    const request = http.expectOne(AUTH_API.login);
    expect(request.request.body).toEqual({ email: 'nurse@clinic.test', password: 'Nurse123!' });
    request.flush(tokenResponse(1));
    await fixture.whenStable();

    expect(TestBed.inject(AuthService).user()?.email).toBe('nurse@clinic.test');
    expect(navigateByUrl).toHaveBeenCalledWith('/notifications');
  });

  it('returns to the page the user was sent away from', async () => {
    fixture.componentRef.setInput('returnUrl', '/orders?status=PENDING');
    await submit();
    http.expectOne(AUTH_API.login).flush(tokenResponse(1));

    expect(navigateByUrl).toHaveBeenCalledWith('/orders?status=PENDING');
  });

  it('ignores a return address outside the app', async () => {
    fixture.componentRef.setInput('returnUrl', '//evil.example/phish');
    await submit();
    http.expectOne(AUTH_API.login).flush(tokenResponse(1));

    expect(navigateByUrl).toHaveBeenCalledWith('/notifications');
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
    await submit();
    http.expectOne(AUTH_API.login).error(new ProgressEvent('error'));
    await fixture.whenStable();

    expect(liveRegion().textContent).toContain('Cannot reach the server');
  });

  it('does not send an incomplete form, and says what is missing', async () => {
    await submit('not-an-email', '');

    http.expectNone(AUTH_API.login);
    expect(page().querySelector('#login-email-error')?.textContent).toContain('Enter an email address like');
    expect(page().querySelector('#login-password-error')?.textContent).toContain('Enter your password');
    expect(input('email').getAttribute('aria-invalid')).toBe('true');
    expect(input('email').getAttribute('aria-describedby')).toBe('login-email-error');
    expect(document.activeElement).toBe(input('email'));
  });

  it('fills in a demo account', async () => {
    page().querySelector<HTMLButtonElement>('button[aria-label="Fill in the Admin demo account"]')!.click();
    await fixture.whenStable();

    expect(input('email').value).toBe('admin@clinic.test');
    expect(input('password').value).toBe('Admin123!');
  });
});
