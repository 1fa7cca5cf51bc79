import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { AuditEntryDto, AuditPageDto } from '@clinic/contracts';

import { account, accountPage, buttonNamed, setValue, team } from '../../testing/account-fixtures';
import { signIn } from '../../testing/auth-fixtures';
import { AUDIT_URL, TEAMS_URL, USERS_URL } from '../core/api-paths';
import { AuditPage } from './audit-page';

const NORA = account({ id: 'u-nora', name: 'Nora Nurse' });
const LAB = team({ id: 't-lab', name: 'Lab' });

function entry(overrides: Partial<AuditEntryDto> = {}): AuditEntryDto {
  return {
    id: 'a-1',
    seq: '10',
    at: '2026-12-01T08:00:00.000Z',
    actorId: 'u-admin',
    actor: { id: 'u-admin', name: 'Ada Admin' },
    action: 'team.members-changed',
    targetType: 'team',
    targetId: LAB.id,
    node: 'node-1',
    details: { added: [NORA.id], removed: [] },
    ...overrides,
  };
}

describe('AuditPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<AuditPage>;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [AuditPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    signIn(1, 'ADMIN');
    fixture = TestBed.createComponent(AuditPage);
    await fixture.whenStable();
    http.expectOne((request) => request.url === USERS_URL).flush(accountPage([NORA]));
    http.expectOne(TEAMS_URL).flush([LAB]);
  });

  afterEach(() => http.verify());

  const page = () => fixture.nativeElement as HTMLElement;
  const auditRequest = (): TestRequest => http.expectOne((request) => request.url === AUDIT_URL);
  const query = (request: TestRequest) => Object.fromEntries(request.request.params.keys().map((key) => [key, request.request.params.get(key)]));

  async function answer(request: TestRequest, page: AuditPageDto): Promise<void> {
    request.flush(page);
    await fixture.whenStable();
  }

  it('starts with the newest entries, unfiltered, and names the people and teams it knows', async () => {
    const first = auditRequest();
    expect(query(first)).toEqual({ limit: '20' });
    await answer(first, { items: [entry()], nextCursor: null });

    const row = page().querySelector('[data-testid="audit-entry"]')!;
    expect(row.textContent).toContain('Ada Admin');
    expect(row.textContent).toContain('Team members changed');
    expect(row.textContent).toContain('Team Lab');
    expect(row.textContent).toContain('Nora Nurse');
  });

  it('asks for exactly the person, action and period chosen, the period as instants', async () => {
    await answer(auditRequest(), { items: [], nextCursor: null });

    setValue(page().querySelector<HTMLSelectElement>('#audit-actor')!, NORA.id);
    setValue(page().querySelector<HTMLSelectElement>('#audit-action')!, 'auth.signed-in');
    setValue(page().querySelector<HTMLInputElement>('#audit-from')!, '2026-12-01T08:00');
    setValue(page().querySelector<HTMLInputElement>('#audit-to')!, '2026-12-02T08:00');
    buttonNamed(page(), 'Show entries')!.click();
    await fixture.whenStable();

    const filtered = auditRequest();
    expect(query(filtered)).toEqual({
      limit: '20',
      actorId: NORA.id,
      action: 'auth.signed-in',
      from: new Date('2026-12-01T08:00').toISOString(),
      to: new Date('2026-12-02T08:00').toISOString(),
    });
    await answer(filtered, { items: [entry({ id: 'a-2', action: 'auth.signed-in' })], nextCursor: '2' });

    buttonNamed(page(), 'Load older entries')!.click();
    await fixture.whenStable();
    const older = auditRequest();
    expect(query(older)).toEqual({ ...query(filtered), cursor: '2' });
    await answer(older, { items: [entry({ id: 'a-1' })], nextCursor: null });
    expect(page().querySelectorAll('[data-testid="audit-entry"]')).toHaveLength(2);
    expect(document.activeElement?.id).toBe('entry-a-1');
    expect(buttonNamed(page(), 'Load older entries')).toBeUndefined();
  });

  it('leaves out what is not chosen, and clears back to everything', async () => {
    await answer(auditRequest(), { items: [], nextCursor: null });

    setValue(page().querySelector<HTMLSelectElement>('#audit-action')!, 'user.deactivated');
    buttonNamed(page(), 'Show entries')!.click();
    await fixture.whenStable();
    expect(query(auditRequest())).toEqual({ limit: '20', action: 'user.deactivated' });

    buttonNamed(page(), 'Clear filters')!.click();
    await fixture.whenStable();
    expect(query(auditRequest())).toEqual({ limit: '20' });
  });

  it('refuses a period that ends before it starts, without asking the server', async () => {
    await answer(auditRequest(), { items: [], nextCursor: null });

    setValue(page().querySelector<HTMLInputElement>('#audit-from')!, '2026-12-02T08:00');
    setValue(page().querySelector<HTMLInputElement>('#audit-to')!, '2026-12-01T08:00');
    buttonNamed(page(), 'Show entries')!.click();
    await fixture.whenStable();

    http.expectNone((request) => request.url === AUDIT_URL);
    expect(page().textContent).toContain('“Until” must be later than “From”');
  });

  it('says who tried a failed sign-in without anyone signed in', async () => {
    await answer(auditRequest(), {
      items: [
        entry({
          action: 'auth.sign-in-failed',
          actorId: null,
          actor: null,
          targetType: 'user',
          targetId: null,
          details: { email: 'nora@clinic.test', reason: 'wrong-password' },
        }),
      ],
      nextCursor: null,
    });

    const row = page().querySelector('[data-testid="audit-entry"]')!;
    expect(row.textContent).toContain('Nobody signed in');
    expect(row.textContent).toContain('nora@clinic.test');
    expect(row.textContent).toContain('wrong-password');
  });
});
