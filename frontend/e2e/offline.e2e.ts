import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

import { ADMIN, NURSE } from './support/api';
import { useE2eApp } from './support/app';
import { chromiumAvailable, signIn } from './support/browser';

/** The kept inbox's first-page length in this device's IndexedDB, or -1 when none is kept. */
function keptInboxLength(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('clinic-offline');
        open.onerror = () => resolve(-1);
        open.onsuccess = () => {
          const database = open.result;
          if (!database.objectStoreNames.contains('kept')) return resolve(-1);
          const request = database.transaction('kept').objectStore('kept').get('inbox');
          request.onsuccess = () => resolve((request.result as { items?: unknown[] } | undefined)?.items?.length ?? -1);
          request.onerror = () => resolve(-1);
        };
      }),
  );
}

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

/** The built app, copied: the update test deploys a new version of it while the server runs. */
const BUILT_APP = fileURLToPath(new URL('../dist/browser/', import.meta.url));
const SERVED_APP = mkdtempSync(path.join(tmpdir(), 'clinic-app-'));
cpSync(BUILT_APP, SERVED_APP, { recursive: true });

/** A new deployment as `ng build` makes one: a changed file, and the service worker's manifest made again. */
function deployNewVersion(): void {
  const main = readdirSync(SERVED_APP).find((file) => /^main-.*\.js$/.test(file));
  if (!main) throw new Error(`no main script in ${SERVED_APP}`);
  appendFileSync(path.join(SERVED_APP, main), '\nwindow.clinicDeployment = 2;\n');
  const generator = fileURLToPath(new URL('../../node_modules/@angular/service-worker/ngsw-config.js', import.meta.url));
  // The generator takes both paths relative to where it runs.
  const frontend = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [generator, path.relative(frontend, SERVED_APP), 'ngsw-config.json', '/'], { cwd: frontend });
}

describe.runIf(chromiumAvailable())('offline and updates', () => {
  const e2e = useE2eApp({ FRONTEND_DIR: SERVED_APP });
  afterAll(() => rmSync(SERVED_APP, { recursive: true, force: true }));

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
    await expect.poll(() => keptInboxLength(page)).toBeGreaterThan(0);

    await app.backend.stop();
    await page.reload();
    await expect.poll(() => page.getByText('Offline.', { exact: true }).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByText('Kept while offline').count()).toBeGreaterThan(0);
    expect(await page.getByText(nurse.name).count()).toBeGreaterThan(0);

    await app.backend.start();
    // The session is restored on the next retry; a notification sent now arrives live.
    await expect.poll(() => page.getByText('Offline.', { exact: true }).count(), { timeout: 20_000 }).toBe(0);
    await sendToNurse('Back online');
    await expect.poll(() => page.getByText('Back online').count(), { timeout: 15_000 }).toBeGreaterThan(0);
  });

  it('forgets the kept inbox when the user signs out: a reload offline goes to sign in', async () => {
    const app = e2e();
    const page = await app.newPage();
    await signIn(page, NURSE);
    await untilServedOffline(page);
    await expect.poll(() => keptInboxLength(page)).toBeGreaterThanOrEqual(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await expect.poll(() => keptInboxLength(page)).toBe(-1);

    await app.backend.stop();
    await page.goto('/notifications');
    await page.waitForURL(/\/login/);
    expect(await page.getByText('Offline.', { exact: true }).count()).toBe(0);
  });

  it('tells the user of a new deployment and reloads into it only when they say so', async () => {
    const app = e2e();
    const page = await app.newPage();
    await signIn(page, NURSE);
    await untilServedOffline(page);

    deployNewVersion();
    // The tab comes back to the front: the app asks the service worker for a new version.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await expect.poll(() => page.getByText('A new version of the app is ready.').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.evaluate(() => (window as { clinicDeployment?: number }).clinicDeployment)).toBeUndefined();

    await page.getByRole('button', { name: 'Reload now' }).click();
    await expect.poll(() => page.evaluate(() => (window as { clinicDeployment?: number }).clinicDeployment), { timeout: 15_000 }).toBe(2);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });
});
