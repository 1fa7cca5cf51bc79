import { mkdirSync } from 'node:fs';
import path from 'node:path';

import type { OrderDto } from '@clinic/contracts';
import { expect, it } from 'vitest';

import { ADMIN, Api, NURSE } from './support/api';
import { E2eApp } from './support/app';
import { REPO_ROOT } from './support/backend';
import { chromiumAvailable, signIn, toasts } from './support/browser';

const OUTPUT = path.join(REPO_ROOT, 'docs/screenshots');

/** Refreshes the README's screenshots from a realistic, freshly seeded clinic. */
it.skipIf(!chromiumAvailable())('takes the README screenshots', async () => {
  const app = await E2eApp.start();
  try {
    const { api, backend } = app;
    const admin = await api.login(ADMIN);
    const nurse = (await api.users(admin.accessToken)).find((user) => user.email === NURSE.email)!;
    await seed(backend.baseUrl, api, admin.accessToken, nurse.id);
    mkdirSync(OUTPUT, { recursive: true });

    const nursePage = await app.newPage();
    await signIn(nursePage, NURSE);
    await api.send(admin.accessToken, {
      title: 'Room 4 asks for a nurse',
      message: 'The patient in room 4 pressed the call button.',
      priority: 'HIGH',
      actionUrl: '/notifications',
      target: { userId: nurse.id },
    });
    await toasts(nursePage).first().waitFor();
    await nursePage.mouse.move(1100, 740); // keeps the toast on screen (hover pauses it)
    await nursePage.waitForTimeout(400); // its entry animation
    await nursePage.screenshot({ path: path.join(OUTPUT, 'notifications-page.png') });

    await nursePage.goto('/orders');
    await nursePage.getByTestId('order-row').first().waitFor();
    await nursePage.screenshot({ path: path.join(OUTPUT, 'orders-page.png') });
    await nursePage.getByTestId('notification-bell').click();
    await nursePage.getByTestId('notification-dropdown').waitFor();
    await nursePage.screenshot({ path: path.join(OUTPUT, 'header-dropdown.png') });

    const adminPage = await app.newPage();
    await signIn(adminPage, ADMIN, '/admin');
    await adminPage.getByLabel('A role').check();
    await adminPage.getByLabel('Title').fill('Fire drill at 14:00');
    await adminPage.getByLabel('Message').fill('Please guide patients in the waiting area to the garden exit.');
    await adminPage.getByLabel('Type').selectOption({ label: 'System alert' });
    await adminPage.getByLabel('Link (optional)').fill('/notifications');
    await adminPage.screenshot({ path: path.join(OUTPUT, 'admin-page.png') });
    expect(await toasts(adminPage).count()).toBe(0);

    // Triage: two rows selected, with the bulk actions; then a row's snooze menu.
    await nursePage.goto('/notifications');
    const rows = nursePage.locator('main [data-testid="notification-item"]');
    await rows.first().waitFor();
    await rows.nth(0).getByTestId('select').check();
    await rows.nth(1).getByTestId('select').check();
    await nursePage.screenshot({ path: path.join(OUTPUT, 'notifications-selection.png') });
    await rows.nth(0).getByTestId('select').uncheck();
    await rows.nth(1).getByTestId('select').uncheck();
    await rows.nth(1).getByTestId('snooze').click();
    await nursePage.getByRole('menu').waitFor();
    await nursePage.screenshot({ path: path.join(OUTPUT, 'notifications-snooze-menu.png') });
    await nursePage.keyboard.press('Escape');

    // The inbox in the system's dark theme (the theme picker's "System"), and on a 390 px phone.
    await nursePage.emulateMedia({ colorScheme: 'dark' });
    // With the undo bar of an archive, held open by the pointer.
    await rows.nth(1).getByTestId('archive').click();
    await nursePage.getByTestId('undo-bar').hover();
    await nursePage.screenshot({ path: path.join(OUTPUT, 'notifications-page-dark.png') });
    await nursePage.getByTestId('undo').click();
    await nursePage.mouse.move(0, 0);
    await nursePage.setViewportSize({ width: 390, height: 844 });
    await nursePage.screenshot({ path: path.join(OUTPUT, 'notifications-phone-dark.png') });
    await nursePage.emulateMedia({ colorScheme: 'light' });
    await nursePage.screenshot({ path: path.join(OUTPUT, 'notifications-phone.png') });
    await nursePage.getByTestId('notification-bell').click();
    await nursePage.getByTestId('notification-dropdown').waitFor();
    await nursePage.screenshot({ path: path.join(OUTPUT, 'header-dropdown-phone.png') });
  } finally {
    await app.close();
  }
});

async function seed(baseUrl: string, api: Api, adminToken: string, nurseId: string): Promise<void> {
  const post = async (url: string, body?: unknown, method = 'POST'): Promise<OrderDto> => {
    const response = await fetch(baseUrl + url, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${adminToken}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as OrderDto;
  };
  await api.send(adminToken, {
    title: 'Staff meeting moved to Thursday',
    message: 'The weekly staff meeting is on Thursday at 8:30 this week, in the library.',
    target: { role: 'STAFF' },
  });
  const panel = await post('/api/orders', { patientName: 'Jane Roe', description: 'Full blood panel', total: '120.50', assigneeId: nurseId });
  const xray = await post('/api/orders', { patientName: 'Omar Haddad', description: 'Chest X-ray, two views', total: '85', assigneeId: nurseId });
  await post(`/api/orders/${panel.id}/status`, { status: 'CONFIRMED' }, 'PATCH');
  await post(`/api/orders/${xray.id}/payment`);
  await api.send(adminToken, {
    title: 'Vaccine fridge above 8 °C',
    message: 'The vaccine fridge in treatment room 2 reads 9.1 °C. Move the stock to the backup fridge.',
    type: 'SYSTEM_ALERT',
    priority: 'CRITICAL',
    target: { all: true },
  });
  await post('/api/orders', { patientName: 'Li Wei', description: 'Physiotherapy, 5 sessions', total: '300', assigneeId: nurseId });
}
