import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { AccountDto, CreateUserResult, ResetPasswordResult, TeamDto } from '@clinic/contracts';

import { account, accountPage, buttonNamed, setValue, team } from '../../testing/account-fixtures';
import { signIn } from '../../testing/auth-fixtures';
import { TEAMS_URL, USERS_URL } from '../core/api-paths';
import { UsersPage } from './users-page';

@Component({ template: '<h1>Elsewhere</h1>' })
class Elsewhere {}

const WARD: TeamDto = team({ id: 't-ward', name: 'Ward A' });
const LAB: TeamDto = team({ id: 't-lab', name: 'Lab' });
const NORA: AccountDto = account({ id: 'u-nora', name: 'Nora Nurse', email: 'nora@clinic.test', teams: [{ id: WARD.id, name: WARD.name }] });
const DAN: AccountDto = account({ id: 'u-dan', name: 'Dan Doctor', email: 'dan@clinic.test' });
const FIRST_PASSWORD = 'kettle-orbit-saffron-42';

describe('UsersPage', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'users', component: UsersPage },
          { path: 'elsewhere', component: Elsewhere },
        ]),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    signIn(1, 'ADMIN');
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => {
    vi.restoreAllMocks();
    http.verify();
  });

  const page = () => harness.routeNativeElement!;
  const stable = () => harness.fixture.whenStable();
  const rows = () => [...page().querySelectorAll<HTMLElement>('[data-testid="user-row"]')];
  const row = (name: string) => rows().find((candidate) => candidate.textContent?.includes(name))!;
  const userList = (): TestRequest => http.expectOne((request) => request.method === 'GET' && request.url === USERS_URL);

  async function open(users: AccountDto[] = [NORA, DAN], teams: TeamDto[] = [WARD, LAB]): Promise<void> {
    await harness.navigateByUrl('/users');
    userList().flush(accountPage(users));
    http.expectOne(TEAMS_URL).flush(teams);
    await stable();
  }

  async function createWithGeneratedPassword(name: string, email: string): Promise<TestRequest> {
    buttonNamed(page(), 'New user')!.click();
    await stable();
    setValue(page().querySelector<HTMLInputElement>('input[formcontrolname=name]')!, name);
    setValue(page().querySelector<HTMLInputElement>('input[formcontrolname=email]')!, email);
    buttonNamed(page(), 'Create user')!.click();
    await stable();
    return http.expectOne((request) => request.method === 'POST' && request.url === USERS_URL);
  }

  it('lists the accounts with their role, teams and phone', async () => {
    await open([NORA, { ...DAN, role: 'ADMIN', phone: '+41791234567', active: false }]);

    expect(row('Nora Nurse').textContent).toContain('Ward A');
    expect(row('Dan Doctor').textContent).toContain('Admin');
    expect(row('Dan Doctor').textContent).toContain('+41791234567');
    expect(row('Dan Doctor').textContent).toContain('Deactivated');
    expect(buttonNamed(row('Dan Doctor'), 'Reactivate')).toBeDefined();
  });

  it('searches by what the admin types', async () => {
    await open();
    setValue(page().querySelector<HTMLInputElement>('#user-search')!, '  nora ');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const search = userList();
    expect(search.request.params.get('q')).toBe('nora');
    search.flush(accountPage([NORA]));
    await stable();
    expect(rows()).toHaveLength(1);
  });

  it('shows a generated first password once, with a copy button and a note that it is shown only now', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await open();

    const create = await createWithGeneratedPassword('Tess Tech', 'tess@clinic.test');
    expect(create.request.body).toEqual({ email: 'tess@clinic.test', name: 'Tess Tech', role: 'STAFF', teamIds: [] });
    const tess = account({ name: 'Tess Tech', email: 'tess@clinic.test' });
    create.flush({ user: tess, initialPassword: FIRST_PASSWORD } satisfies CreateUserResult);
    userList().flush(accountPage([NORA, DAN, tess]));
    await stable();

    const panel = page().querySelector<HTMLElement>('[data-testid="one-time-password-panel"]')!;
    expect(panel.querySelector('[data-testid="one-time-password"]')?.textContent).toBe(FIRST_PASSWORD);
    expect(panel.textContent).toContain('Shown only now');
    expect(document.activeElement).toBe(panel.querySelector('h2'));
    buttonNamed(panel, 'Copy')!.click();
    await stable();
    expect(writeText).toHaveBeenCalledWith(FIRST_PASSWORD);
    expect(panel.textContent).toContain('Copied');
  });

  it('forgets the password once the admin leaves the page: it is not there on coming back', async () => {
    await open();
    const create = await createWithGeneratedPassword('Tess Tech', 'tess@clinic.test');
    create.flush({ user: account({ name: 'Tess Tech' }), initialPassword: FIRST_PASSWORD } satisfies CreateUserResult);
    userList().flush(accountPage([NORA, DAN]));
    await stable();
    expect(page().textContent).toContain(FIRST_PASSWORD);

    await harness.navigateByUrl('/elsewhere');
    await open();

    expect(page().querySelector('[data-testid="one-time-password"]')).toBeNull();
    expect(document.body.textContent).not.toContain(FIRST_PASSWORD);
  });

  it('hides the password when the admin says it was handed over, and focus goes back to "New user"', async () => {
    await open();
    const create = await createWithGeneratedPassword('Tess Tech', 'tess@clinic.test');
    create.flush({ user: account({ name: 'Tess Tech' }), initialPassword: FIRST_PASSWORD } satisfies CreateUserResult);
    userList().flush(accountPage([NORA, DAN]));
    await stable();

    buttonNamed(page(), 'Done')!.click();
    await stable();

    expect(page().textContent).not.toContain(FIRST_PASSWORD);
    expect(document.activeElement?.id).toBe('new-user');
  });

  it('says near the form that the email is taken, and keeps what was typed', async () => {
    await open();
    const create = await createWithGeneratedPassword('Nora Again', 'nora@clinic.test');
    create.flush({ message: 'A user with this email exists', statusCode: 409 }, { status: 409, statusText: 'Conflict' });
    await stable();

    expect(page().querySelector('[data-testid="user-form-error"]')?.textContent).toContain('already exists');
    expect(page().querySelector<HTMLInputElement>('input[formcontrolname=name]')?.value).toBe('Nora Again');
  });

  it('asks before deactivating, and does nothing when the admin says no', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    await open();

    buttonNamed(row('Nora Nurse'), 'Deactivate')!.click();
    await stable();

    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('Deactivate Nora Nurse?'));
    http.expectNone((request) => request.url.endsWith('/deactivate'));
  });

  it('deactivates after a yes, shows it in the row and keeps focus on the button', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    await open();

    buttonNamed(row('Nora Nurse'), 'Deactivate')!.click();
    await stable();
    http.expectOne({ method: 'POST', url: `${USERS_URL}/u-nora/deactivate` }).flush({ ...NORA, active: false });
    await stable();

    expect(row('Nora Nurse').textContent).toContain('Deactivated');
    expect(document.activeElement).toBe(buttonNamed(row('Nora Nurse'), 'Reactivate'));
    expect(page().querySelector('[data-testid="users-feedback"]')?.textContent).toContain('signed out everywhere');
  });

  it('says why the server refused to deactivate the last admin', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    await open([account({ id: 'u-boss', name: 'Bo Boss', role: 'ADMIN' })]);

    buttonNamed(row('Bo Boss'), 'Deactivate')!.click();
    await stable();
    http
      .expectOne(`${USERS_URL}/u-boss/deactivate`)
      .flush({ message: 'This is the last active admin: make another user admin first' }, { status: 409, statusText: 'Conflict' });
    await stable();

    expect(page().querySelector('[data-testid="users-feedback"]')?.textContent).toContain('last active admin');
  });

  it('shows a reset password once, after asking', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    await open();

    buttonNamed(row('Dan Doctor'), 'Reset password')!.click();
    await stable();
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('signed out on all their devices'));
    http
      .expectOne({ method: 'POST', url: `${USERS_URL}/u-dan/reset-password` })
      .flush({ user: DAN, temporaryPassword: 'new-one-9f8e7d' } satisfies ResetPasswordResult);
    await stable();

    expect(page().querySelector('[data-testid="one-time-password"]')?.textContent).toBe('new-one-9f8e7d');
    buttonNamed(page(), 'Done')!.click();
    await stable();
    expect(page().textContent).not.toContain('new-one-9f8e7d');
    expect(document.activeElement?.id).toBe('reset-u-dan');
  });

  it('sends only what was changed: here the teams', async () => {
    await open();
    buttonNamed(row('Nora Nurse'), 'Edit')!.click();
    await stable();

    const boxes = [...page().querySelectorAll<HTMLInputElement>('[data-testid="user-team"]')];
    boxes.find((box) => box.parentElement?.textContent?.includes('Lab'))!.click();
    buttonNamed(page(), 'Save changes')!.click();
    await stable();

    const update = http.expectOne({ method: 'PATCH', url: `${USERS_URL}/u-nora` });
    expect(update.request.body).toEqual({ teamIds: ['t-ward', 't-lab'] });
    update.flush({ ...NORA, teams: [{ id: LAB.id, name: LAB.name }, { id: WARD.id, name: WARD.name }] });
    await stable();
    expect(row('Nora Nurse').textContent).toContain('Lab, Ward A');
    expect(document.activeElement?.id).toBe('edit-u-nora');
  });

  it('refuses a phone number without country code before asking the server, and removes one left empty', async () => {
    await open([{ ...NORA, phone: '+41791234567' }]);
    buttonNamed(row('Nora Nurse'), 'Edit')!.click();
    await stable();
    const phone = page().querySelector<HTMLInputElement>('input[type=tel]')!;

    setValue(phone, '079 123 45 67');
    buttonNamed(page(), 'Save changes')!.click();
    await stable();
    http.expectNone({ method: 'PATCH', url: `${USERS_URL}/u-nora` });
    expect(page().textContent).toContain('with + and the country code');

    setValue(phone, '');
    buttonNamed(page(), 'Save changes')!.click();
    await stable();
    expect(http.expectOne({ method: 'PATCH', url: `${USERS_URL}/u-nora` }).request.body).toEqual({ phone: null });
  });

  it('does not offer admins to deactivate themselves', async () => {
    await open([account({ id: 'u-admin', name: 'Ada Admin', role: 'ADMIN' }), NORA]);

    expect(row('Ada Admin').textContent).toContain('(you)');
    expect(buttonNamed(row('Ada Admin'), 'Deactivate')).toBeUndefined();
  });
});
