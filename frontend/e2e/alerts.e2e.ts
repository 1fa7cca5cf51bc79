import { randomUUID } from 'node:crypto';

import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { Account, ADMIN, Api, NURSE } from './support/api';
import { E2eApp } from './support/app';
import { chromiumAvailable, inboxItems, signIn, toasts, waitForConnection } from './support/browser';

/** The product promise: another device shows a change within a second. */
const LIVE_MS = 1_000;

describe.skipIf(!chromiumAvailable())('alerts that cannot be missed, in the browser', () => {
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

  /** A page in a browser context of its own: another device, as far as the app can tell. */
  const openPage = (): Promise<Page> => app!.newPage();

  /** Marks all of a user's notifications read, so their count starts from nothing. */
  async function freshInbox(account: Account): Promise<{ id: string; token: string }> {
    const { user, accessToken } = await api.login(account);
    await api.markAllRead(accessToken);
    return { id: user.id, token: accessToken };
  }

  const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;
  const toastAbout = (page: Page, title: string): Locator => toasts(page).filter({ hasText: title });

  it('keeps a critical alert on screen until acknowledged, and the acknowledgement reaches the other device within a second', async () => {
    const nurse = await freshInbox(NURSE);
    const [first, second] = [await openPage(), await openPage()];
    await signIn(first, NURSE, '/orders');
    await signIn(second, NURSE);
    // The pointer rests away from the toasts: hovering them would pause any countdown.
    for (const page of [first, second]) await page.mouse.move(5, 400);
    const title = unique('Vaccine fridge at 9 °C');

    const { sendId } = await api.send(adminToken, {
      title,
      message: 'Move the vaccines to the backup fridge.',
      type: 'SYSTEM_ALERT',
      priority: 'CRITICAL',
      target: { userId: nurse.id },
    });

    for (const page of [first, second]) await toastAbout(page, title).waitFor({ timeout: 5_000 });
    expect(await toastAbout(first, title).locator('.toast-priority').textContent()).toBe('Critical');
    await first.waitForTimeout(10_000);
    expect(await toastAbout(first, title).isVisible()).toBe(true);
    expect(await toastAbout(second, title).isVisible()).toBe(true);

    await toastAbout(first, title).getByRole('button', { name: /^Acknowledge/ }).click();
    const acknowledgedAt = Date.now();
    await toastAbout(first, title).waitFor({ state: 'detached', timeout: LIVE_MS });
    await toastAbout(second, title).waitFor({ state: 'detached', timeout: LIVE_MS });
    const row = inboxItems(second).filter({ hasText: title });
    await row.getByTestId('acknowledged').waitFor({ timeout: Math.max(1, LIVE_MS - (Date.now() - acknowledgedAt)) });
    expect(Date.now() - acknowledgedAt).toBeLessThan(LIVE_MS);
    expect(await row.getByRole('button', { name: /^Acknowledge/ }).count()).toBe(0);

    const receipt = (await api.sendDetail(adminToken, sendId)).recipients.find((recipient) => recipient.userId === nurse.id);
    expect(receipt?.acknowledgedAt).not.toBeNull();
    expect(receipt?.readAt).not.toBeNull();
  });

  it('tells the sender that the notification reached the device and was shown on screen, but not read', async () => {
    const nurse = await freshInbox(NURSE);
    const page = await openPage();
    // Not the inbox: only the toast shows it.
    await signIn(page, NURSE, '/orders');
    const title = unique('Lab results ready');

    const { sendId } = await api.send(adminToken, { title, message: 'Blood panel for Jane Roe.', target: { userId: nurse.id } });
    await toastAbout(page, title).waitFor({ timeout: 5_000 });

    const receipt = async () => {
      const recipient = (await api.sendDetail(adminToken, sendId)).recipients.find((candidate) => candidate.userId === nurse.id);
      return { delivered: !!recipient?.deliveredAt, seen: !!recipient?.seenAt, read: !!recipient?.readAt };
    };
    await expect.poll(receipt, { timeout: 5_000 }).toEqual({ delivered: true, seen: true, read: false });
  });

  it('tells staff who open the receipts of someone else’s send that it is not there for them', async () => {
    const nurse = await freshInbox(NURSE);
    const { sendId } = await api.send(adminToken, { title: unique('For the nurse'), message: 'Hello', target: { userId: nurse.id } });
    const page = await openPage();

    await signIn(page, NURSE, `/sends/${sendId}`);

    await page.getByTestId('send-not-found').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('send-not-found').textContent()).toContain('not found, or it is not yours to see');
  });

  it('remembers the sound settings on this device across a reload', async () => {
    const page = await openPage();
    await signIn(page, NURSE, '/preferences');
    const critical = page.getByLabel('Play a sound for critical alerts');
    const high = page.getByLabel('Play a sound for high-priority notifications');
    expect([await critical.isChecked(), await high.isChecked()]).toEqual([true, false]);

    await critical.uncheck();
    await high.check();
    await page.reload();
    await waitForConnection(page, 'Connected', 15_000);

    expect([await critical.isChecked(), await high.isChecked()]).toEqual([false, true]);
  });

  it('shows the unread count in the tab title, on every page, and follows it live', async () => {
    const nurse = await freshInbox(NURSE);
    const page = await openPage();
    await signIn(page, NURSE);
    expect(await page.title()).toBe('Notifications · Clinic');

    for (const title of [unique('Shift change'), unique('Room 4')]) {
      await api.send(adminToken, { title, message: 'For the nurse', target: { userId: nurse.id } });
    }
    await expect.poll(() => page.title(), { timeout: LIVE_MS * 2 }).toBe('(2) Notifications · Clinic');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
    await expect.poll(() => page.title(), { timeout: LIVE_MS }).toBe('(2) Orders · Clinic');

    // Read on another device.
    await api.markAllRead(nurse.token);
    await expect.poll(() => page.title(), { timeout: LIVE_MS }).toBe('Orders · Clinic');
  });

  it('lets an admin schedule a send on the admin page and cancel it on the Sends page before it goes out', async () => {
    const page = await openPage();
    await signIn(page, ADMIN, '/admin');
    const title = unique('Fire drill at 14:00');

    await page.getByTestId('target-user').selectOption({ label: 'Nora Nurse · nurse@clinic.test' });
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Message').fill('Guide patients in the waiting area to the garden exit.');
    await page.getByLabel('Send later').check();
    await page.getByLabel('Goes out at').fill(localInputValue(new Date(Date.now() + 3_600_000)));
    await page.getByTestId('send-notification').click();
    await page.getByTestId('send-result').filter({ hasText: `Scheduled “${title}” for` }).waitFor({ timeout: 5_000 });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sends' }).click();
    await page.getByRole('navigation', { name: 'Filter sends' }).getByRole('link', { name: 'Scheduled' }).click();
    const row = page.getByTestId('send-row').filter({ hasText: title });
    await row.waitFor({ timeout: 5_000 });
    expect(await row.getAttribute('data-status')).toBe('scheduled');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: /^Cancel/ }).click();

    await page.getByTestId('sends-feedback').filter({ hasText: `“${title}” is cancelled` }).waitFor({ timeout: 5_000 });
    expect(await row.getAttribute('data-status')).toBe('cancelled');
    expect(await row.getByRole('button', { name: /^Cancel/ }).count()).toBe(0);
    const sendId = (await row.getAttribute('data-send-id'))!;
    expect((await api.sendDetail(adminToken, sendId)).status).toBe('cancelled');
  });

  it('does not scroll sideways on a 390 px phone: the send form with its alert options, the Sends page and the receipts', async () => {
    const nurse = await freshInbox(NURSE);
    const { sendId } = await api.send(adminToken, {
      title: unique('Oxygen supply low in theatre 2'),
      message: 'Switch theatre 2 to the reserve cylinders now.',
      requireAck: true,
      target: { userId: nurse.id },
    });
    const page = await openPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, ADMIN, '/admin');

    await page.getByLabel('Priority').selectOption('CRITICAL');
    await page.getByLabel('Escalate if nobody acknowledges').check();
    await page.getByLabel('Send later').check();
    await page.getByLabel('Goes out at').waitFor();
    expect(await sidewaysOverflow(page), 'Admin').toBe(0);

    await page.goto('/sends');
    await page.getByTestId('send-row').first().waitFor();
    expect(await sidewaysOverflow(page), 'Sends').toBe(0);

    await page.goto(`/sends/${sendId}`);
    await page.getByTestId('recipient-row').first().waitFor();
    expect(await sidewaysOverflow(page), 'Receipts').toBe(0);
  });
});

const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The `datetime-local` value of a moment on this machine's clock, which the browser shares. */
function localInputValue(time: Date): string {
  const pad = (part: number) => String(part).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}`;
}
