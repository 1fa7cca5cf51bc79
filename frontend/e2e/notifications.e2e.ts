import { randomUUID } from 'node:crypto';

import type { Locator, Page, WebSocket } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { Account, ADMIN, Api, DOCTOR, NURSE } from './support/api';
import { E2eApp } from './support/app';
import {
  badge,
  bell,
  chromiumAvailable,
  desktopNotificationCalls,
  inboxItems,
  recordDesktopNotifications,
  signIn,
  submitSignIn,
  toasts,
  waitForConnection,
  waitForText,
} from './support/browser';

/** The product promise: another device shows a change within a second. */
const LIVE_MS = 1_000;

describe.skipIf(!chromiumAvailable())('notifications in the browser', () => {
  let app: E2eApp | undefined;
  let api: Api;
  let adminToken: string;

  beforeAll(async () => {
    app = await E2eApp.start();
    api = app.api;
    adminToken = (await api.login(ADMIN)).accessToken;
  });

  afterEach(() => app?.reset());
  afterAll(() => app?.close());

  const openPage = (): Promise<Page> => app!.newPage();

  /** Marks all of a user's notifications read, so their badge starts from nothing; gives their id. */
  async function freshInbox(account: Account): Promise<string> {
    const { user, accessToken } = await api.login(account);
    await api.markAllRead(accessToken);
    return user.id;
  }

  const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

  it('shows the staff member a toast and a higher badge within a second of an admin sending from the admin page', async () => {
    await freshInbox(NURSE);
    const staff = await openPage();
    await signIn(staff, NURSE);
    const admin = await openPage();
    await signIn(admin, ADMIN, '/admin');
    const title = unique('Room 4 needs a nurse');

    await admin.getByTestId('target-user').selectOption({ label: 'Nora Nurse · nurse@clinic.test' });
    await admin.getByLabel('Title').fill(title);
    await admin.getByLabel('Message').fill('The patient in room 4 is asking for help.');
    await admin.getByTestId('send-notification').click();
    const sentAt = Date.now();

    await toasts(staff).filter({ hasText: title }).waitFor({ timeout: LIVE_MS });
    await waitForText(badge(staff), '1', LIVE_MS - (Date.now() - sentAt));
    expect(Date.now() - sentAt).toBeLessThan(LIVE_MS);
    await waitForText(admin.getByTestId('send-result'), `Sent “${title}” to 1 person.`, 5_000);
    await inboxItems(staff).filter({ hasText: title }).waitFor();
  });

  it('keeps two sessions of one user in step: read and delete in one show in the other within a second (a delete once its undo window ends)', async () => {
    const doctorId = await freshInbox(DOCTOR);
    const toRead = unique('Lab results');
    const toDelete = unique('Shift change');
    for (const title of [toDelete, toRead]) {
      await api.send(adminToken, { title, message: 'For the doctor', target: { userId: doctorId } });
    }
    const [first, second] = [await openPage(), await openPage()];
    await signIn(first, DOCTOR);
    await signIn(second, DOCTOR);
    await waitForText(badge(second), '2', 5_000);

    await inboxItems(first).filter({ hasText: toRead }).getByRole('button', { name: /^Mark .* as read$/ }).click();
    await waitForText(badge(second), '1', LIVE_MS);
    await second.locator('main [data-testid="notification-item"]:not(.unread)').filter({ hasText: toRead }).waitFor({ timeout: LIVE_MS });

    await inboxItems(first).filter({ hasText: toDelete }).getByRole('button', { name: /^Delete / }).click();
    // A delete goes to the server when its 5 s to undo end; Escape on the undo bar ends them now.
    await first.getByTestId('undo').focus();
    await first.keyboard.press('Escape');
    await inboxItems(second).filter({ hasText: toDelete }).waitFor({ state: 'detached', timeout: LIVE_MS });
    await badge(second).waitFor({ state: 'detached', timeout: LIVE_MS });
    await inboxItems(second).filter({ hasText: toRead }).waitFor();
  });

  it('polls while the server is gone, and when it is back reconnects and shows what was created meanwhile', async () => {
    const nurseId = await freshInbox(NURSE);
    const page = await openPage();
    await signIn(page, NURSE);

    await app!.backend.stop();
    await waitForConnection(page, 'Live updates paused', 5_000);

    // Written straight into the database while no server runs: only catch-up can deliver them.
    const missed = [unique('Missed while away A'), unique('Missed while away B')];
    await app!.database.insertNotifications(missed.map((title) => ({ userId: nurseId, title, message: 'Created during the outage' })));
    await app!.backend.start();

    // socket.io's back-off retries at most 10 s (±50 %) apart.
    await waitForConnection(page, 'Connected', 30_000);
    for (const title of missed) await inboxItems(page).filter({ hasText: title }).waitFor({ timeout: 5_000 });
    await waitForText(badge(page), '2', 5_000);
    await toasts(page).filter({ hasText: missed[0] }).waitFor({ timeout: 5_000 });
  });

  it('shows the next user of the same browser nothing of the previous one: sign-out closes the socket and clears the state', async () => {
    const nurseId = await freshInbox(NURSE);
    await freshInbox(DOCTOR);
    const page = await openPage();
    const sockets: WebSocket[] = [];
    page.on('websocket', (socket) => sockets.push(socket));
    await signIn(page, NURSE);
    const title = unique('For the nurse only');
    await api.send(adminToken, { title, message: 'Not for the next user', target: { userId: nurseId } });
    await toasts(page).filter({ hasText: title }).waitFor({ timeout: 5_000 });
    await waitForText(badge(page), '1', LIVE_MS);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await expect.poll(() => sockets.length > 0 && sockets.every((socket) => socket.isClosed()), { timeout: 2_000 }).toBe(true);
    // The same page, without a reload: only what the app itself cleared is gone.
    await submitSignIn(page, DOCTOR);

    await bell(page).click();
    await page.getByTestId('notification-dropdown').waitFor();
    expect(await page.getByText(title).count()).toBe(0);
    expect(await toasts(page).count()).toBe(0);
    expect(await badge(page).count()).toBe(0);
  });

  it('shows a title and message made of HTML and script as literal text in the toast, dropdown, inbox and desktop notification, and runs none of it', async () => {
    const nurseId = await freshInbox(NURSE);
    const context = await app!.newContext();
    await recordDesktopNotifications(context, app!.backend.baseUrl);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signIn(page, NURSE);
    await bell(page).click();
    const enableDesktop = page.getByRole('button', { name: 'Enable desktop notifications' });
    await enableDesktop.click();
    await enableDesktop.waitFor({ state: 'detached' });
    const title = unique('<img src=x onerror=alert(1)> <b>bold</b>');
    const message = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> <b>bold</b>';

    await api.send(adminToken, { title, message, target: { userId: nurseId } });

    const toast = toasts(page).filter({ hasText: title });
    const dropdownItem = page.getByTestId('notification-dropdown').getByTestId('notification-item').filter({ hasText: title });
    const inboxItem = inboxItems(page).filter({ hasText: title });
    for (const shown of [toast, dropdownItem, inboxItem]) await shown.waitFor({ timeout: 5_000 });
    const text = (scope: Locator, selector: string) => scope.locator(selector).textContent();
    expect([await text(toast, '.toast-title'), await text(toast, '.toast-message')]).toEqual([title, message]);
    expect([await text(dropdownItem, '.note-title'), await text(dropdownItem, '.note-message')]).toEqual([title, message]);
    expect([await text(inboxItem, '.note-title'), await text(inboxItem, '.note-message')]).toEqual([title, message]);
    expect(await page.locator('[aria-live] p').filter({ hasText: title }).textContent()).toBe(`${title}. ${message}`);
    await expect.poll(() => desktopNotificationCalls(page), { timeout: 2_000 }).toEqual([{ title, body: message }]);

    const injected = ':is([data-testid="toast"], [data-testid="notification-dropdown"], main, [aria-live]) :is(img, b, script)';
    expect(await page.locator(injected).count()).toBe(0);
    expect(await page.locator('body script:not([src])').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('gives one toast and one desktop notification however many tabs are open', async () => {
    const nurseId = await freshInbox(NURSE);
    const context = await app!.newContext();
    await context.grantPermissions(['notifications'], { origin: app!.backend.baseUrl });
    await recordDesktopNotifications(context, app!.backend.baseUrl);
    const tabs = [await context.newPage(), await context.newPage(), await context.newPage()];
    await signIn(tabs[0], NURSE);
    for (const tab of tabs.slice(1)) {
      await tab.goto('/notifications');
      await waitForConnection(tab, 'Connected', 15_000);
    }
    const title = unique('One toast only');

    await api.send(adminToken, { title, message: 'However many tabs', target: { userId: nurseId } });

    for (const tab of tabs) await waitForText(badge(tab), '1', LIVE_MS * 2);
    await tabs[0].waitForTimeout(1_000);
    const toastCounts = await Promise.all(tabs.map((tab) => toasts(tab).filter({ hasText: title }).count()));
    const desktopCounts = await Promise.all(
      tabs.map(async (tab) => (await desktopNotificationCalls(tab)).filter((shown) => shown.title === title).length),
    );
    expect(toastCounts.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(desktopCounts.reduce((sum, count) => sum + count, 0)).toBe(1);
  });
});
