import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { TeamDetailDto } from '@clinic/contracts';

import { account, accountPage, buttonNamed, setValue, team, teamDetail } from '../../testing/account-fixtures';
import { signIn } from '../../testing/auth-fixtures';
import { TEAMS_URL, USERS_URL } from '../core/api-paths';
import { TeamsPage } from './teams-page';

const NORA = account({ id: 'u-nora', name: 'Nora Nurse' });
const DAN = account({ id: 'u-dan', name: 'Dan Doctor' });
const WARD = team({ id: 't-ward', name: 'Ward A', memberCount: 1 });
const WARD_DETAIL: TeamDetailDto = teamDetail({ ...WARD }, [NORA]);

describe('TeamsPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<TeamsPage>;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [TeamsPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    signIn(1, 'ADMIN');
    fixture = TestBed.createComponent(TeamsPage);
    await fixture.whenStable();
    http.expectOne((request) => request.url === USERS_URL).flush(accountPage([DAN, NORA]));
    http.expectOne(TEAMS_URL).flush([WARD]);
    await fixture.whenStable();
  });

  afterEach(() => {
    vi.restoreAllMocks();
    http.verify();
  });

  const page = () => fixture.nativeElement as HTMLElement;
  const memberBox = (name: string) =>
    [...page().querySelectorAll<HTMLInputElement>('[data-testid="team-member"]')].find((box) => box.closest('label')?.textContent?.includes(name))!;

  async function openWard(): Promise<void> {
    page().querySelector<HTMLButtonElement>('[data-testid="team-item"]')!.click();
    await fixture.whenStable();
    http.expectOne(`${TEAMS_URL}/t-ward`).flush(WARD_DETAIL);
    await fixture.whenStable();
  }

  it('creates a team and opens it to choose its members', async () => {
    setValue(page().querySelector<HTMLInputElement>('#new-team-name')!, ' Lab ');
    buttonNamed(page(), 'Create team')!.click();
    await fixture.whenStable();

    const create = http.expectOne({ method: 'POST', url: TEAMS_URL });
    expect(create.request.body).toEqual({ name: 'Lab' });
    create.flush(teamDetail({ id: 't-lab', name: 'Lab' }));
    await fixture.whenStable();

    expect([...page().querySelectorAll('[data-testid="team-item"] .team-name')].map((name) => name.textContent)).toEqual(['Lab', 'Ward A']);
    expect(document.activeElement?.id).toBe('team-detail-title');
    expect(document.activeElement?.textContent).toBe('Lab');
  });

  it('says so when the name is taken', async () => {
    setValue(page().querySelector<HTMLInputElement>('#new-team-name')!, 'ward a');
    buttonNamed(page(), 'Create team')!.click();
    await fixture.whenStable();
    http.expectOne({ method: 'POST', url: TEAMS_URL }).flush({ message: 'taken' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();

    expect(page().textContent).toContain('Another team already has this name');
  });

  it('saves the complete member list ticked', async () => {
    await openWard();
    expect(memberBox('Nora Nurse').checked).toBe(true);

    memberBox('Dan Doctor').click();
    await fixture.whenStable();
    expect(page().textContent).toContain('1 to add, 0 to remove');
    buttonNamed(page(), 'Save members')!.click();
    await fixture.whenStable();

    const save = http.expectOne({ method: 'PUT', url: `${TEAMS_URL}/t-ward/members` });
    expect(save.request.body).toEqual({ userIds: ['u-nora', 'u-dan'] });
    save.flush(teamDetail({ ...WARD }, [DAN, NORA]));
    await fixture.whenStable();
    expect(page().querySelector('[data-testid="team-feedback"]')?.textContent).toContain('now has 2 members');
    expect(page().querySelector('[data-testid="team-item"]')?.textContent).toContain('2 members');
  });

  it('asks before deleting a team, and deletes only after a yes', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    await openWard();

    buttonNamed(page(), 'Delete team')!.click();
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('Delete the team Ward A?'));
    http.expectNone({ method: 'DELETE', url: `${TEAMS_URL}/t-ward` });

    confirm.mockReturnValue(true);
    buttonNamed(page(), 'Delete team')!.click();
    http.expectOne({ method: 'DELETE', url: `${TEAMS_URL}/t-ward` }).flush(null);
    await fixture.whenStable();
    expect(page().querySelectorAll('[data-testid="team-item"]')).toHaveLength(0);
    expect(page().textContent).toContain('Team Ward A deleted');
  });
});
