import { randomUUID } from 'node:crypto';

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';

import { ADMIN, Api, DOCTOR } from './support/api';
import { E2eApp } from './support/app';
import { badge, chromiumAvailable, inboxItems, signIn, waitForText } from './support/browser';

/** The product promise: another device shows a change within a second. */
const LIVE_MS = 1_000;

describe.skipIf(!chromiumAvailable())('inbox triage in the browser', () => {
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

  const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;
  const row = (page: Page, title: string) => inboxItems(page).filter({ hasText: title });
  const view = (page: Page, name: 'inbox' | 'snoozed' | 'archived') => page.getByTestId(`view-${name}`).click();

  it('archives, marks unread and snoozes in one session, and the other shows each within a second; a snooze comes back on time', async () => {
    const { user, accessToken } = await api.login(DOCTOR);
    await api.markAllRead(accessToken);
    const toArchive = unique('Discharge summary');
    const toSnooze = unique('Call the lab');
    const toReread = unique('Shift notes');
    for (const title of [toReread, toSnooze, toArchive]) await api.send(adminToken, { title, message: 'For the doctor', target: { userId: user.id } });
    const [first, second] = [await app!.newPage(), await app!.newPage()];
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

    // Snooze until a few seconds from now (the chosen-time option): gone from both, then back on both.
    const item = row(first, toSnooze);
    await item.locator('summary').click();
    const until = new Date(Date.now() + 4_000);
    const local = new Date(until.getTime() - until.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await item.getByTestId('snooze-until').fill(local);
    await item.getByTestId('snooze-until-apply').click();
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
});
