import type { NotificationPreferenceDto, NotificationSettingsDto } from '@clinic/contracts';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { Api, NURSE } from './support/api';
import { E2eApp } from './support/app';
import { chromiumAvailable, signIn } from './support/browser';

describe.skipIf(!chromiumAvailable())('the preferences page, in the browser', () => {
  let app: E2eApp | undefined;
  let api: Api;

  beforeAll(async () => {
    app = await E2eApp.start();
    api = app.api;
  });
  afterEach(() => app?.reset());
  afterAll(() => app?.close());

  async function asNurse<T>(path: string): Promise<T> {
    const { accessToken } = await api.login(NURSE);
    const response = await fetch(app!.backend.baseUrl + path, { headers: { authorization: `Bearer ${accessToken}` } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return (await response.json()) as T;
  }

  const cell = (page: Page, name: string): Locator => page.getByRole('checkbox', { name, exact: true });

  /** Ticks or unticks a cell and waits until the server has it (the cell is enabled again). */
  async function setCell(page: Page, name: string, on: boolean): Promise<void> {
    const checkbox = cell(page, name);
    await checkbox.setChecked(on);
    // The message names the cell: an earlier cell's message does not count.
    await page.getByTestId('grid-status').filter({ hasText: `${name}: ${on ? 'on' : 'off'}.` }).waitFor();
    expect(await checkbox.isEnabled()).toBe(true);
  }

  it('the channel grid and the settings save, and come back the same after a reload; a bad phone is refused with a reason', async () => {
    const page = await app!.newPage();
    await signIn(page, NURSE);
    await page.goto('/preferences');
    await page.getByRole('heading', { name: 'How notifications reach you' }).waitFor();
    await page.locator('[data-testid="channel-grid"][aria-busy="false"]').waitFor();
    expect(await cell(page, 'Email for General').isChecked()).toBe(true);

    await setCell(page, 'Email for General', false);
    await setCell(page, 'SMS for System alert', false);
    await setCell(page, 'Sound for Order update', false);

    const form = page.getByTestId('settings-form');
    await form.getByTestId('quiet-enabled').check();
    await form.getByTestId('quiet-start').fill('21:30');
    await form.getByTestId('quiet-end').fill('06:45');
    await form.getByTestId('time-zone').selectOption('Europe/Zurich');
    await form.getByTestId('digest-enabled').check();
    await form.getByTestId('digest-time').fill('07:15');
    await form.getByTestId('hide-details').check();

    await form.getByTestId('phone').fill('0791234567');
    await form.getByTestId('save-settings').click();
    expect(await page.getByTestId('settings-status').textContent()).toContain('must start with +');
    await form.getByTestId('phone').fill('+41791112233');
    await form.getByTestId('save-settings').click();
    await page.getByTestId('settings-status').filter({ hasText: 'Settings saved.' }).waitFor();

    const expectedSettings: NotificationSettingsDto = {
      timeZone: 'Europe/Zurich',
      quietHours: { start: '21:30', end: '06:45' },
      digestTime: '07:15',
      hideDetails: true,
      phone: '+41791112233',
      language: 'en',
    };
    expect(await asNurse<NotificationSettingsDto>('/api/notifications/settings')).toEqual(expectedSettings);
    const saved = await asNurse<NotificationPreferenceDto[]>('/api/notifications/preferences');
    const off = saved.flatMap((preference) => Object.entries(preference.channels).filter(([, on]) => !on).map(([channel]) => `${preference.type}:${channel}`));
    expect(off.sort()).toEqual(['GENERAL:email', 'ORDER_STATUS_CHANGED:sound', 'SYSTEM_ALERT:sms']);

    await page.reload();
    await page.locator('[data-testid="channel-grid"][aria-busy="false"]').waitFor();
    expect(await cell(page, 'Email for General').isChecked()).toBe(false);
    expect(await cell(page, 'SMS for System alert').isChecked()).toBe(false);
    expect(await cell(page, 'Sound for Order update').isChecked()).toBe(false);
    expect(await cell(page, 'In app for General').isChecked()).toBe(true);
    expect(await form.getByTestId('quiet-enabled').isChecked()).toBe(true);
    expect(await form.getByTestId('quiet-start').inputValue()).toBe('21:30');
    expect(await form.getByTestId('quiet-end').inputValue()).toBe('06:45');
    expect(await form.getByTestId('time-zone').inputValue()).toBe('Europe/Zurich');
    expect(await form.getByTestId('digest-enabled').isChecked()).toBe(true);
    expect(await form.getByTestId('digest-time').inputValue()).toBe('07:15');
    expect(await form.getByTestId('hide-details').isChecked()).toBe(true);
    expect(await form.getByTestId('phone').inputValue()).toBe('+41791112233');
  });

  it('fits a phone screen: the grid becomes one card per kind of notification, nothing scrolls sideways', async () => {
    const page = await app!.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, NURSE);
    await page.goto('/preferences');
    await page.locator('[data-testid="channel-grid"][aria-busy="false"]').waitFor();
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(sideways).toBeLessThanOrEqual(0);
    // Each cell names its channel beside the checkbox, since the column headings are hidden.
    expect(await page.locator('tr[data-type="GENERAL"] .cell-name').first().isVisible()).toBe(true);
    await cell(page, 'Desktop for General').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('grid-status').filter({ hasText: 'Desktop for General: off.' }).waitFor();
  });
});
