import { randomUUID } from 'node:crypto';

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, DOCTOR } from './support/api';
import { useE2eApp } from './support/app';
import { badge, chromiumAvailable, inboxItems, signIn, waitForText } from './support/browser';

/** The product promise: another device shows a change within a second. */
const LIVE_MS = 1_000;

describe.skipIf(!chromiumAvailable())('inbox triage in the browser', () => {
  const app = useE2eApp();
  let adminToken: string;

  beforeAll(async () => {
    adminToken = (await app().api.login(ADMIN)).accessToken;
  });

  const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;
  const row = (page: Page, title: string) => inboxItems(page).filter({ hasText: title });
  const view = (page: Page, name: 'inbox' | 'snoozed' | 'archived') => page.getByTestId(`view-${name}`).click();

  it('archives, marks unread and snoozes in one session, and the other shows each within a second; a snooze comes back on time', async () => {
    const { api } = app();
    const { user, accessToken } = await api.login(DOCTOR);
    await api.markAllRead(accessToken);
    const toArchive = unique('Discharge summary');
    const toSnooze = unique('Call the lab');
    const toReread = unique('Shift notes');
    for (const title of [toReread, toSnooze, toArchive]) await api.send(adminToken, { title, message: 'For the doctor', target: { userId: user.id } });
    const [first, second] = [await app().newPage(), await app().newPage()];
    await signIn(first, DOCTOR);
    await signIn(second, DOCTOR);
    await waitForText(badge(second), '3', 5_000);

    // Archive: out of the inbox and the badge on both; in the Archived tab; back with "Move to inbox".
    await row(first, toArchive).getByTestId('archive').click();
    await row(second, toArchive).waitFor({ state: 'detached', timeout: LIVE_MS });
    await waitForText(badge(second), '2', LIVE_MS);
    await view(second, 'archived');
    await row(second, toArchive).getByTestId('unarchive').click();
    await view(first, 'inbox');
    await row(first, toArchive).waitFor({ timeout: LIVE_MS });
    await waitForText(badge(first), '3', LIVE_MS);
    await view(second, 'inbox');

    // Read, then unread again: the other session's badge follows both.
    await row(first, toReread).getByRole('button', { name: /^Mark .* as read$/ }).click();
    await waitForText(badge(second), '2', LIVE_MS);
    await row(first, toReread).getByTestId('mark-unread').click();
    await waitForText(badge(second), '3', LIVE_MS);
    await second.locator('main [data-testid="notification-item"].unread').filter({ hasText: toReread }).waitFor({ timeout: LIVE_MS });

    // Snooze until a few seconds from now (the menu's "Choose a time…", in a dialog): gone from both, then back on both.
    await row(first, toSnooze).getByTestId('snooze').click();
    await first.getByRole('menuitem', { name: 'Choose a time…' }).click();
    const dialog = first.getByRole('dialog', { name: 'Snooze until…' });
    const until = new Date(Date.now() + 4_000);
    const local = new Date(until.getTime() - until.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await dialog.getByTestId('snooze-until').fill(local);
    await dialog.getByTestId('snooze-until-apply').click();
    await dialog.waitFor({ state: 'detached', timeout: LIVE_MS });
    await row(second, toSnooze).waitFor({ state: 'detached', timeout: LIVE_MS });
    await waitForText(badge(second), '2', LIVE_MS);
    await view(second, 'snoozed');
    await row(second, toSnooze).waitFor({ timeout: LIVE_MS });
    await view(second, 'inbox');
    const due = until.getTime() - Date.now();
    await row(second, toSnooze).waitFor({ timeout: due + 3_000 });
    await row(first, toSnooze).waitFor({ timeout: 3_000 });
    await waitForText(badge(second), '3', 3_000);
  });

  it('filters, searches, undoes an archive and a delete, and changes a selection, with the other session following within a second', async () => {
    const { api } = app();
    const { user, accessToken } = await api.login(DOCTOR);
    await api.markAllRead(accessToken);
    const tag = unique('Ward');
    const order = `${tag} insulin order`;
    const payment = `${tag} payment`;
    const supplies = `${tag} supplies`;
    const target = { userId: user.id };
    await api.send(adminToken, { title: supplies, message: 'Gloves', type: 'GENERAL', priority: 'LOW', target });
    await api.send(adminToken, { title: payment, message: 'Paid', type: 'PAYMENT_VERIFIED', priority: 'NORMAL', target });
    await api.send(adminToken, { title: order, message: 'For bed 3', type: 'ORDER_CREATED', priority: 'HIGH', target });
    const [first, second] = [await app().newPage(), await app().newPage()];
    await signIn(first, DOCTOR);
    await signIn(second, DOCTOR);
    await waitForText(badge(second), '3', 5_000);

    // Today's notifications sit under "Today"; LOW carries its mark, NORMAL none.
    await expect.poll(() => first.locator('main [data-testid="day-group"] h2').first().textContent()).toBe('Today');
    const mark = (title: string) =>
      row(first, title).locator('.note-title').evaluate((element) => getComputedStyle(element, '::after').content);
    expect(await mark(supplies)).toBe('"Low"');
    expect(await mark(payment)).toBe('none');

    // Search and a priority on the second session, kept in the address across a reload.
    await second.getByTestId('search').fill(tag.toUpperCase());
    await expect.poll(() => inboxItems(second).count()).toBe(3);
    await second.getByTestId('priority-filter').selectOption('HIGH');
    await expect.poll(() => inboxItems(second).allTextContents()).toEqual([expect.stringContaining(order)]);
    await second.reload();
    await expect.poll(() => inboxItems(second).count(), { timeout: 5_000 }).toBe(1);
    expect(await second.getByTestId('search').inputValue()).toBe(tag.toUpperCase());
    await second.getByTestId('type-filter').selectOption('PAYMENT_VERIFIED');
    await second.getByTestId('no-match').waitFor({ timeout: LIVE_MS });
    await second.getByTestId('type-filter').selectOption('');

    // Archive on the first, then Undo: the filtered list on the second follows both.
    await row(first, order).getByTestId('archive').click();
    await second.getByTestId('no-match').waitFor({ timeout: LIVE_MS });
    await waitForText(badge(second), '2', LIVE_MS);
    await first.getByTestId('undo-bar').getByRole('button', { name: 'Undo' }).click();
    await row(second, order).waitFor({ timeout: LIVE_MS });
    await waitForText(badge(second), '3', LIVE_MS);
    await second.getByTestId('clear-filters').click();

    // Delete, then Undo: gone here at once and back; the server never deleted it.
    await row(first, payment).getByTestId('delete').click();
    await row(first, payment).waitFor({ state: 'detached', timeout: LIVE_MS });
    await waitForText(badge(first), '2', LIVE_MS);
    await first.getByTestId('undo').click();
    await row(first, payment).waitFor({ timeout: LIVE_MS });
    await waitForText(badge(first), '3', LIVE_MS);
    expect((await api.notifications(accessToken)).items.map((item) => item.title)).toContain(payment);

    // Delete, and let the 5 s pass: then it is gone from the other session and the server.
    await row(first, payment).getByTestId('delete').click();
    await first.getByTestId('undo-bar').waitFor({ state: 'detached', timeout: 7_000 });
    await row(second, payment).waitFor({ state: 'detached', timeout: LIVE_MS });
    await waitForText(badge(second), '2', LIVE_MS);

    // Select the two left and mark them read in one go; then archive both.
    await first.getByTestId('search').fill(tag);
    await expect.poll(() => inboxItems(first).count()).toBe(2);
    await first.getByTestId('select-all').check();
    await waitForText(first.getByTestId('selected-count'), '2 selected', LIVE_MS);
    await first.getByTestId('bulk-actions').getByRole('button', { name: 'Mark read' }).click();
    await badge(second).waitFor({ state: 'detached', timeout: LIVE_MS });
    await first.getByTestId('select-all').check();
    await first.getByTestId('bulk-archive').click();
    await expect.poll(() => inboxItems(second).filter({ hasText: tag }).count(), { timeout: LIVE_MS }).toBe(0);
    await view(second, 'archived');
    await expect.poll(() => inboxItems(second).filter({ hasText: tag }).count(), { timeout: LIVE_MS }).toBe(2);
  });

  it('opens the bell’s dropdown with the keyboard: Tab goes into it, Escape from the bell closes it, and so does a click outside', async () => {
    const page = await app().newPage();
    await signIn(page, DOCTOR);
    const bell = page.getByTestId('notification-bell');
    const dropdown = page.getByTestId('notification-dropdown');

    await bell.focus();
    await page.keyboard.press('Enter');
    await dropdown.waitFor({ timeout: LIVE_MS });
    await page.keyboard.press('Tab');
    expect(await dropdown.evaluate((element) => element.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await bell.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await dropdown.waitFor({ state: 'detached', timeout: LIVE_MS });
    expect(await bell.evaluate((element) => element === document.activeElement)).toBe(true);

    await bell.click();
    await dropdown.waitFor({ timeout: LIVE_MS });
    await page.locator('main h1').click();
    await dropdown.waitFor({ state: 'detached', timeout: LIVE_MS });
  });
});
