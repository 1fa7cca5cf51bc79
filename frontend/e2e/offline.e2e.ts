import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { ADMIN, NURSE } from './support/api';
import { useE2eApp } from './support/app';
import { chromiumAvailable, signIn } from './support/browser';

/** Until the service worker controls the page and has cached the app's files and the page itself. */
async function untilServedOffline(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 45_000 });
  await page.waitForFunction(
    async () => {
      const state = await (await fetch('/ngsw/state')).text();
      if (!/Driver state: NORMAL/.test(state) || /Latest manifest hash: none/.test(state)) return false;
      const names = await caches.keys();
      const page = names.find((name) => name.includes(':data:page:cache'));
      const assets = names.find((name) => name.includes(':assets:app:cache'));
      return !!page && !!assets && (await (await caches.open(page)).keys()).length > 0 && (await (await caches.open(assets)).keys()).length > 10;
    },
    null,
    { timeout: 30_000, polling: 250 },
  );
}

describe.runIf(chromiumAvailable())('offline', () => {
  const e2e = useE2eApp();

  it('reloads while the server is stopped into the app shell with the kept inbox, marked offline; live state returns with the server', async () => {
    const app = e2e();
    const adminToken = (await app.api.login(ADMIN)).accessToken;
    const { user: nurse } = await app.api.login(NURSE);
    const sendToNurse = (title: string) => app.api.send(adminToken, { title, message: 'Bed 4 needs a check', target: { userId: nurse.id } });
    await sendToNurse('Kept while offline');

    const page = await app.newPage();
    await signIn(page, NURSE);
    await expect.poll(() => page.getByText('Kept while offline').count()).toBeGreaterThan(0);
    await untilServedOffline(page);

    await app.backend.stop();
    await page.reload();
    await expect.poll(() => page.getByText('Offline.').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByText('Kept while offline').count()).toBeGreaterThan(0);
    expect(await page.getByText(nurse.name).count()).toBeGreaterThan(0);

    await app.backend.start();
    // The session is restored on the next retry; a notification sent now arrives live.
    await expect.poll(() => page.getByText('Offline.').count(), { timeout: 20_000 }).toBe(0);
    await sendToNurse('Back online');
    await expect.poll(() => page.getByText('Back online').count(), { timeout: 15_000 }).toBeGreaterThan(0);
  });

  it('forgets the kept inbox when the user signs out: a reload offline goes to sign in', async () => {
    const app = e2e();
    const page = await app.newPage();
    await signIn(page, NURSE);
    await untilServedOffline(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);

    await app.backend.stop();
    await page.goto('/notifications');
    await page.waitForURL(/\/login/);
    expect(await page.getByText('Offline.').count()).toBe(0);
  });
});
