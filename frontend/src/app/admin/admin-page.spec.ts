import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { account, accountPage, buttonNamed, setValue, team } from '../../testing/account-fixtures';
import { signIn } from '../../testing/auth-fixtures';
import { NOTIFICATIONS_URL, SENDS_URL, TEAMS_URL, USERS_URL } from '../core/api-paths';
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
    http.expectOne(`${SENDS_URL}/settings`).flush({ criticalEscalateAfterSeconds: 120, escalationMinSeconds: 30, escalationMaxSteps: 3 });
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
    send.flush({ sendId: 's-1', created: 1, status: 'sent', sendAt: null });
    await fixture.whenStable();
    expect(page().querySelector('[data-testid="send-result"]')?.textContent).toContain('to 1 person');
    expect(page().querySelector('[data-testid="send-receipts"]')?.getAttribute('href')).toBe('/sends/s-1');
  });

  const field = <T extends Element>(selector: string) => page().querySelector<T>(selector)!;
  const requireAck = () => field<HTMLInputElement>('input[formcontrolname="requireAck"]');

  async function fillIn(): Promise<void> {
    setValue(field<HTMLSelectElement>('#send-user'), 'u-nora');
    setValue(field<HTMLInputElement>('#send-title-input'), 'Fridge alarm');
    setValue(field<HTMLTextAreaElement>('#send-message'), 'Move the vaccines');
    await fixture.whenStable();
  }

  it('offers only the types an admin may send', () => {
    const types = [...field<HTMLSelectElement>('#send-type').options].map((option) => option.textContent?.trim());

    expect(types).not.toContain('Escalation');
    expect(types).toContain('System alert');
  });

  it('always requires acknowledgement of a critical alert, and explains its default escalation', async () => {
    setValue(field<HTMLSelectElement>('#send-priority'), 'CRITICAL');
    await fixture.whenStable();

    expect(requireAck().checked).toBe(true);
    expect(requireAck().disabled).toBe(true);
    expect(field('[data-testid="critical-escalation-hint"]').textContent?.trim()).toBe(
      'Critical alerts escalate to admins after 2 minutes if nobody acknowledges.',
    );

    setValue(field<HTMLSelectElement>('#send-priority'), 'HIGH');
    await fixture.whenStable();
    expect(requireAck().checked).toBe(false);
    expect(requireAck().disabled).toBe(false);
  });

  it('sends the acknowledgement, escalation and later time asked for, and links to the receipts', async () => {
    await fillIn();
    requireAck().click();
    field<HTMLInputElement>('input[formcontrolname="escalate"]').click();
    await fixture.whenStable();
    setValue(field<HTMLInputElement>('#send-escalation-after'), '60');
    setValue(field<HTMLSelectElement>('#send-escalation-kind'), 'team');
    await fixture.whenStable();
    setValue(field<HTMLSelectElement>('#send-escalation-team'), 't-lab');
    field<HTMLInputElement>('input[formcontrolname="sendLater"]').click();
    await fixture.whenStable();
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    tomorrow.setSeconds(0, 0);
    const local = `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T${pad(tomorrow.getHours())}:${pad(tomorrow.getMinutes())}`;
    setValue(field<HTMLInputElement>('#send-at'), local);
    buttonNamed(page(), 'Schedule notification')!.click();
    await fixture.whenStable();

    const send = http.expectOne({ method: 'POST', url: `${NOTIFICATIONS_URL}/test` });
    expect(send.request.body).toMatchObject({
      requireAck: true,
      escalation: { afterSeconds: 60, to: { teamId: 't-lab' } },
      sendAt: tomorrow.toISOString(),
    });
    send.flush({ sendId: 's-9', created: 0, status: 'scheduled', sendAt: tomorrow.toISOString() });
    await fixture.whenStable();

    expect(field('[data-testid="send-result"]').textContent).toContain('Scheduled “Fridge alarm” for');
    expect(field('[data-testid="send-receipts"]').getAttribute('href')).toBe('/sends/s-9');
    // Nothing left to send twice by accident; the recipient stays for a follow-up.
    expect(field<HTMLInputElement>('#send-title-input').value).toBe('');
    expect(field<HTMLTextAreaElement>('#send-message').value).toBe('');
    expect(requireAck().checked).toBe(false);
    expect(field<HTMLSelectElement>('#send-user').value).toBe('u-nora');
  });

  it('names no recipient until the admin picks one, and refuses to send without one', async () => {
    setValue(field<HTMLInputElement>('#send-title-input'), 'Fridge alarm');
    setValue(field<HTMLTextAreaElement>('#send-message'), 'Move the vaccines');
    await fixture.whenStable();
    expect(field<HTMLSelectElement>('#send-user').selectedOptions[0].textContent).toBe('Choose a person…');
    buttonNamed(page(), 'Send notification')!.click();
    await fixture.whenStable();
    http.expectNone({ method: 'POST', url: `${NOTIFICATIONS_URL}/test` });
    expect(field('[data-testid="send-result"]').textContent).toContain('Check the highlighted fields');
  });

  it("refuses an escalation shorter than the server's minimum, saying the bound, without asking the server", async () => {
    await fillIn();
    field<HTMLInputElement>('input[formcontrolname="escalate"]').click();
    await fixture.whenStable();
    setValue(field<HTMLInputElement>('#send-escalation-after'), '10');
    buttonNamed(page(), 'Send notification')!.click();
    await fixture.whenStable();

    http.expectNone({ method: 'POST', url: `${NOTIFICATIONS_URL}/test` });
    expect(page().textContent).toContain('Enter a whole number of seconds, at least 30');
  });

  it('refuses to schedule for a time that has passed, without asking the server', async () => {
    await fillIn();
    field<HTMLInputElement>('input[formcontrolname="sendLater"]').click();
    await fixture.whenStable();
    setValue(field<HTMLInputElement>('#send-at'), '2020-01-01T08:00');
    buttonNamed(page(), 'Schedule notification')!.click();
    await fixture.whenStable();

    http.expectNone({ method: 'POST', url: `${NOTIFICATIONS_URL}/test` });
    expect(page().textContent).toContain('Pick a time in the future');
  });
});

const pad = (part: number) => String(part).padStart(2, '0');
