import { randomUUID } from 'node:crypto';

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN } from './support/api';
import { E2eApp } from './support/app';
import { chromiumAvailable, signIn, toasts } from './support/browser';

/** The product promise: another device shows a change within a second (with room for a slow machine). */
const LIVE_MS = 5_000;

describe.skipIf(!chromiumAvailable())('accounts and teams in the browser', () => {
  let app: E2eApp | undefined;

  beforeAll(async () => {
    app = await E2eApp.start();
  });

  afterEach(() => app?.reset());
  afterAll(() => app?.close());

  const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

  /** How far the page is wider than the window: 0 when nothing scrolls sideways. */
  const sidewaysOverflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  it('an admin creates a user and a team, assigns an order to the team, and the member signed in elsewhere gets the toast', async () => {
    const admin = await app!.newPage();
    await signIn(admin, ADMIN, '/users');
    const name = unique('Tess Tech');
    const email = `tess.${randomUUID().slice(0, 8)}@clinic.test`;

    await admin.getByRole('button', { name: 'New user' }).click();
    await admin.getByLabel('Full name').fill(name);
    await admin.getByLabel('Email', { exact: true }).fill(email);
    await admin.getByRole('button', { name: 'Create user' }).click();
    const password = (await admin.getByTestId('one-time-password').textContent())?.trim() ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    await admin.getByRole('button', { name: /^Done/ }).click();
    await expect.poll(() => admin.getByTestId('one-time-password').count()).toBe(0);
    await admin.getByTestId('user-row').filter({ hasText: email }).waitFor();

    // The new user signs in on their own device before they belong to any team.
    const member = await app!.newPage();
    await signIn(member, { email, password });

    const teamName = unique('Night lab');
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).click();
    await admin.getByLabel('Name', { exact: true }).fill(teamName);
    await admin.getByRole('button', { name: 'Create team' }).click();
    await admin.getByRole('heading', { name: teamName }).waitFor();
    await admin.getByRole('checkbox', { name: new RegExp(name) }).check();
    await admin.getByRole('button', { name: 'Save members' }).click();
    await admin.getByTestId('team-feedback').filter({ hasText: 'now has 1 member' }).waitFor();

    const patient = unique('Ravi Patel');
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
    await admin.getByLabel('Patient name').fill(patient);
    await admin.getByLabel('Items or description').fill('Night blood panel');
    await admin.getByLabel('Total').fill('64.00');
    await admin.getByLabel('Team', { exact: true }).selectOption({ label: teamName });
    await admin.getByRole('button', { name: 'Create order' }).click();
    await admin.getByTestId('order-row').filter({ hasText: patient }).getByTestId('order-team-name').filter({ hasText: teamName }).waitFor();

    // Added to the team while connected: the order's notification reaches the open page at once.
    await toasts(member).filter({ hasText: patient }).waitFor({ timeout: LIVE_MS });
    // Whoever acted is told by the answer, not notified.
    expect(await toasts(admin).filter({ hasText: patient }).count()).toBe(0);
    // Need-to-know: through the team, the member sees the order.
    await member.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
    await member.getByTestId('order-row').filter({ hasText: patient }).waitFor();
  });

  it('the Users page, and the other pages of accounts, teams and orders, do not scroll sideways on a 390 px phone', async () => {
    const page = await app!.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, ADMIN, '/users');
    await page.getByTestId('user-row').first().waitFor();
    expect(await sidewaysOverflow(page)).toBe(0);

    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Full name').waitFor();
    expect(await sidewaysOverflow(page)).toBe(0);

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Teams' }).click();
    await page.locator('[data-testid="team-item"], .teams .empty:not(:has-text("Loading"))').first().waitFor();
    expect(await sidewaysOverflow(page), 'Teams').toBe(0);
    await nav.getByRole('link', { name: 'Audit' }).click();
    await page.getByTestId('audit-entry').first().waitFor();
    expect(await sidewaysOverflow(page), 'Audit log').toBe(0);
    await nav.getByRole('link', { name: 'Orders' }).click();
    await page.locator('[data-testid="order-row"], .orders .empty:not(:has-text("Loading"))').first().waitFor();
    expect(await sidewaysOverflow(page), 'Orders').toBe(0);
    await nav.getByRole('link', { name: 'Preferences' }).click();
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByLabel('Current password').waitFor();
    expect(await sidewaysOverflow(page), 'Change password').toBe(0);
  });
});
