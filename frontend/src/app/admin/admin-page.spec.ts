import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { account, accountPage, buttonNamed, setValue, team } from '../../testing/account-fixtures';
import { signIn } from '../../testing/auth-fixtures';
import { NOTIFICATIONS_URL, TEAMS_URL, USERS_URL } from '../core/api-paths';
import { AdminPage } from './admin-page';

describe('AdminPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<AdminPage>;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [AdminPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
    signIn(1, 'ADMIN');
    fixture = TestBed.createComponent(AdminPage);
    await fixture.whenStable();
    http.expectOne((request) => request.url === USERS_URL).flush(accountPage([account({ id: 'u-nora', name: 'Nora Nurse' })]));
    http.expectOne(TEAMS_URL).flush([team({ id: 't-ward', name: 'Ward A', memberCount: 3 }), team({ id: 't-lab', name: 'Lab', memberCount: 1 })]);
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  const page = () => fixture.nativeElement as HTMLElement;

  it('sends to the team picked: each member gets their own notification', async () => {
    page().querySelector<HTMLInputElement>('input[type=radio][value=team]')!.click();
    await fixture.whenStable();
    const teams = page().querySelector<HTMLSelectElement>('#send-team')!;
    expect([...teams.options].map((option) => option.textContent?.trim())).toEqual(['Ward A · 3 members', 'Lab · 1 member']);

    setValue(teams, 't-lab');
    setValue(page().querySelector<HTMLInputElement>('#send-title-input')!, 'Samples ready');
    setValue(page().querySelector<HTMLTextAreaElement>('#send-message')!, 'Come and collect them');
    buttonNamed(page(), 'Send notification')!.click();
    await fixture.whenStable();

    const send = http.expectOne({ method: 'POST', url: `${NOTIFICATIONS_URL}/test` });
    expect(send.request.body).toMatchObject({ title: 'Samples ready', target: { teamId: 't-lab' } });
    send.flush({ created: 1 });
    await fixture.whenStable();
    expect(page().querySelector('[data-testid="send-result"]')?.textContent).toContain('to 1 person');
  });
});
