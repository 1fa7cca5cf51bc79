import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MIN_PASSWORD_LENGTH } from '@clinic/contracts';

import { buttonNamed, setValue } from '../../testing/account-fixtures';
import { ACCOUNT_API } from '../core/api-paths';
import { ChangePasswordPage } from './change-password-page';

describe('ChangePasswordPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ChangePasswordPage>;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [ChangePasswordPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ChangePasswordPage);
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  const page = () => fixture.nativeElement as HTMLElement;
  const feedback = () => page().querySelector('[data-testid="password-feedback"]');

  async function submit(current: string, next: string, again = next): Promise<void> {
    setValue(page().querySelector<HTMLInputElement>('#currentPassword')!, current);
    setValue(page().querySelector<HTMLInputElement>('#newPassword')!, next);
    setValue(page().querySelector<HTMLInputElement>('#confirmation')!, again);
    buttonNamed(page(), 'Change password')!.click();
    await fixture.whenStable();
  }

  it(`refuses a new password shorter than ${MIN_PASSWORD_LENGTH} characters, or typed differently twice, without asking the server`, async () => {
    await submit('Nurse123!', 'x'.repeat(MIN_PASSWORD_LENGTH - 1));
    expect(page().textContent).toContain(`Use at least ${MIN_PASSWORD_LENGTH} characters`);
    expect(document.activeElement?.id).toBe('newPassword');

    await submit('Nurse123!', 'long-enough-password', 'long-enough-passw0rd');
    expect(page().textContent).toContain('The two new passwords are not the same');
    http.expectNone(ACCOUNT_API.changePassword);
  });

  it('changes the password and says that the other devices were signed out', async () => {
    await submit('Nurse123!', 'kettle-orbit-saffron');

    const change = http.expectOne({ method: 'POST', url: ACCOUNT_API.changePassword });
    expect(change.request.body).toEqual({ currentPassword: 'Nurse123!', newPassword: 'kettle-orbit-saffron' });
    change.flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();

    expect(feedback()?.textContent).toContain('other devices were signed out');
    expect(document.activeElement).toBe(feedback());
    expect(page().querySelector<HTMLInputElement>('#newPassword')!.value).toBe('');
    page().querySelector('#confirmation')!.dispatchEvent(new Event('blur'));
    await fixture.whenStable();
    expect(page().querySelector('.field-error')).toBeNull();
  });

  it('says when the current password is wrong', async () => {
    await submit('wrong', 'kettle-orbit-saffron');
    http.expectOne(ACCOUNT_API.changePassword).flush({ message: 'The current password is not correct' }, { status: 403, statusText: 'Forbidden' });
    await fixture.whenStable();

    expect(feedback()?.textContent).toContain('The current password is not correct');
  });

  it('shows the server’s reason for a refused new password', async () => {
    await submit('kettle-orbit-saffron', 'kettle-orbit-saffron');
    http
      .expectOne(ACCOUNT_API.changePassword)
      .flush({ message: 'The new password must differ from the current one' }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();

    expect(feedback()?.textContent).toContain('The new password must differ from the current one');
  });
});
