import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { ActivatedRoute, convertToParamMap, ParamMap } from '@angular/router';
import type { OrderDto, Role } from '@clinic/contracts';
import { BehaviorSubject } from 'rxjs';

import { account, accountPage, buttonNamed, setValue, team } from '../../testing/account-fixtures';
import { signIn } from '../../testing/auth-fixtures';
import { FakeNotificationService } from '../../testing/fake-notification-service';
import { AUTH_API, ORDERS_URL, TEAMS_URL, USERS_URL } from '../core/api-paths';
import { NotificationService } from '../notifications';
import { OrdersPage } from './orders-page';

const LAB = team({ id: 't-lab', name: 'Lab' });

function order(overrides: Partial<OrderDto> = {}): OrderDto {
  return {
    id: 'o-1',
    patientName: 'Jane Roe',
    description: 'Full blood panel',
    total: '120.50',
    status: 'PENDING',
    paymentStatus: 'UNPAID',
    createdBy: { id: 'u-admin', name: 'Ada Admin' },
    assignee: null,
    team: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('OrdersPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<OrdersPage>;
  /** The page's query string, as a link set it. */
  const queryParams = new BehaviorSubject<ParamMap>(convertToParamMap({}));

  beforeEach(() => {
    queryParams.next(convertToParamMap({}));
    TestBed.configureTestingModule({
      imports: [OrdersPage],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: ActivatedRoute, useValue: { queryParamMap: queryParams } },
        { provide: NotificationService, useValue: new FakeNotificationService() },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  const page = () => fixture.nativeElement as HTMLElement;

  async function render(role: Role, orders: OrderDto[] = []): Promise<void> {
    signIn(1, role);
    fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    http.expectOne((request) => request.url === ORDERS_URL).flush({ items: orders, nextCursor: null });
    http.expectOne(AUTH_API.config).flush({ demo: false, demoAccounts: [], currency: 'EUR' });
    http.expectOne(TEAMS_URL).flush([LAB]);
    if (role === 'ADMIN') {
      http.expectOne((request) => request.url === USERS_URL).flush(accountPage([account({ id: 'u-nora', name: 'Nora Nurse' })]));
    }
    await fixture.whenStable();
  }

  async function fillAndSubmit(choose: () => void): Promise<unknown> {
    setValue(page().querySelector<HTMLInputElement>('#order-patient')!, 'Jane Roe');
    setValue(page().querySelector<HTMLTextAreaElement>('#order-description')!, 'Full blood panel');
    setValue(page().querySelector<HTMLInputElement>('#order-total')!, '120.50');
    choose();
    buttonNamed(page(), 'Create order')!.click();
    await fixture.whenStable();
    return http.expectOne({ method: 'POST', url: ORDERS_URL }).request.body;
  }

  it('assigns the new order to the team picked, also for staff', async () => {
    await render('STAFF');

    const body = await fillAndSubmit(() => setValue(page().querySelector<HTMLSelectElement>('#order-team')!, LAB.id));

    expect(body).toEqual({ patientName: 'Jane Roe', description: 'Full blood panel', total: '120.50', teamId: LAB.id });
  });

  it('lets admins assign a person and a team together', async () => {
    await render('ADMIN');

    const body = await fillAndSubmit(() => {
      setValue(page().querySelector<HTMLSelectElement>('#order-assignee')!, 'u-nora');
      setValue(page().querySelector<HTMLSelectElement>('#order-team')!, LAB.id);
    });

    expect(body).toMatchObject({ assigneeId: 'u-nora', teamId: LAB.id });
  });

  it('sends no team when none is picked', async () => {
    await render('STAFF');

    const body = await fillAndSubmit(() => undefined);

    expect(body).not.toHaveProperty('teamId');
  });

  it('shows totals in the clinic currency and names it by the total field', async () => {
    await render('STAFF', [order({ total: '120.5' })]);

    const total = page().querySelector('[data-testid="order-row"] td.num')?.textContent?.trim();
    expect(total).toBe('€120.50');
    expect(page().querySelector('label[for="order-total"]')?.textContent?.trim()).toBe('Total (EUR)');
  });

  it('shows the team an order is assigned to', async () => {
    await render('STAFF', [order({ team: { id: LAB.id, name: LAB.name } }), order({ id: 'o-2', patientName: 'Omar Haddad' })]);

    const rows = [...page().querySelectorAll('[data-testid="order-row"]')];
    expect(rows[0].querySelector('[data-testid="order-team-name"]')?.textContent).toBe('Lab');
    expect(rows[1].querySelector('[data-testid="order-team-name"]')).toBeNull();
  });

  describe('opened from a notification\'s "View order" (/orders?order=<id>)', () => {
    const linkTo = (id: string) => queryParams.next(convertToParamMap({ order: id }));
    const marked = () => [...page().querySelectorAll('[data-testid="order-row"][aria-current="true"]')].map((row) => row.id);
    // jsdom lays nothing out and has no scrollIntoView: record which row the page scrolled to.
    const scrolledTo: string[] = [];
    beforeEach(() => {
      scrolledTo.length = 0;
      Element.prototype.scrollIntoView = function (this: Element) {
        scrolledTo.push(this.id);
      };
    });
    afterEach(() => delete (Element.prototype as Partial<Element>).scrollIntoView);

    it('marks that order in the list', async () => {
      linkTo('o-2');
      await render('STAFF', [order(), order({ id: 'o-2', patientName: 'Omar Haddad' })]);
      expect(marked()).toEqual(['order-o-2']);
      expect(scrolledTo).toEqual(['order-o-2']);
    });

    it('fetches it and shows it first when it is not on the first page', async () => {
      linkTo('o-9');
      await render('STAFF', [order()]);
      http.expectOne(`${ORDERS_URL}/o-9`).flush(order({ id: 'o-9', patientName: 'Ines Ortega' }));
      await fixture.whenStable();
      expect(marked()).toEqual(['order-o-9']);
      expect(page().querySelector('[data-testid="order-row"]')?.textContent).toContain('Ines Ortega');
      expect(scrolledTo).toEqual(['order-o-9']);
    });
  });
});
