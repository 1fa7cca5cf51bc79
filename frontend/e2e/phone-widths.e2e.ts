import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, NURSE } from './support/api';
import { E2eApp } from './support/app';
import { chromiumAvailable, signIn } from './support/browser';

const WIDTHS = [360, 390, 414] as const;
const STAFF_PAGES = ['/notifications', '/orders', '/preferences', '/change-password'];
const ADMIN_PAGES = [...STAFF_PAGES, '/admin', '/sends', '/deliveries', '/users', '/teams', '/audit'];

/** How far the page reaches past the right edge of the window (0 or less: nothing scrolls sideways), and what sticks out. */
function sideways(page: Page): Promise<{ over: number; culprits: string[] }> {
  return page.evaluate(() => {
    const over = document.documentElement.scrollWidth - window.innerWidth;
    const culprits = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((element) => getComputedStyle(element).position !== 'fixed')
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')} right=${Math.round(element.getBoundingClientRect().right)}`);
    return { over, culprits };
  });
}

/** Opens an in-app path without reloading (the router follows popstate), then waits for the page to settle. */
async function open(page: Page, path: string): Promise<void> {
  await page.evaluate((target) => {
    history.pushState(null, '', target);
    dispatchEvent(new PopStateEvent('popstate', { state: null }));
  }, path);
  await page.waitForURL((url) => url.pathname === path);
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('main [aria-busy="true"]').length === 0, undefined, { timeout: 10_000 });
  // Lazy rows and late layout (fonts, images) get a moment.
  await page.waitForTimeout(150);
}

async function expectNoOverflow(page: Page, paths: readonly string[]): Promise<void> {
  const problems: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    for (const path of paths) {
      await open(page, path);
      const { over, culprits } = await sideways(page);
      if (over > 0) problems.push(`${path} at ${width}px: ${over}px too wide (${culprits.join(', ')})`);
    }
  }
  expect(problems).toEqual([]);
}

describe.skipIf(!chromiumAvailable())('phone widths: no page scrolls sideways at 360, 390 and 414 px', () => {
  let app: E2eApp | undefined;

  beforeAll(async () => {
    app = await E2eApp.start();
    // Something on every list: a notification (inbox, sends, deliveries, audit) and an order.
    const admin = await app.api.login(ADMIN);
    const nurse = await app.api.login(NURSE);
    await app.api.send(admin.accessToken, {
      title: 'Potassium result for bed 12 needs a second look before the evening round',
      message: 'Lab called: the sample may be haemolysed. Please redraw and confirm with the ward.',
      priority: 'HIGH',
      target: { userId: nurse.user.id },
    });
    const order = await fetch(`${app.backend.baseUrl}/api/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ patientName: 'Maximiliana Featherstonehaugh-Smythe', description: 'Full blood count and electrolytes', total: '1234.50', assigneeId: nurse.user.id }),
    });
    if (order.status !== 201) throw new Error(`create order: ${order.status}`);
  });
  afterEach(() => app?.reset());
  afterAll(() => app?.close());

  it('the login page', async () => {
    const page = await app!.newPage();
    const problems: string[] = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto('/login');
      await page.getByLabel('Email').waitFor();
      const { over, culprits } = await sideways(page);
      if (over > 0) problems.push(`/login at ${width}px: ${over}px too wide (${culprits.join(', ')})`);
      // With the field errors and the server's refusal shown too.
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Email').fill('someone.with.a.rather.long.address@clinic.test');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('.form-error .alert').waitFor();
      const refused = await sideways(page);
      if (refused.over > 0) problems.push(`/login refused at ${width}px: ${refused.over}px too wide (${refused.culprits.join(', ')})`);
    }
    expect(problems).toEqual([]);
  });

  it('every page of staff, and the bell’s dropdown stays on the screen', async () => {
    const page = await app!.newPage();
    await signIn(page, NURSE);
    await expectNoOverflow(page, STAFF_PAGES);
    // The dropdown is in the top layer (it cannot make the page scroll): measured on its own.
    for (const width of [...WIDTHS, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await page.getByTestId('notification-bell').click();
      const dropdown = page.getByTestId('notification-dropdown');
      await expect
        .poll(async () => {
          const box = (await dropdown.boundingBox())!;
          return { width, left: Math.round(box.x), inside: box.x >= 0 && box.x + box.width <= width };
        })
        .toMatchObject({ width, inside: true });
      await page.keyboard.press('Escape');
      await page.getByTestId('notification-dropdown').waitFor({ state: 'detached' });
    }
  });

  it('every page of an admin, and the header shows each of its links whole', async () => {
    const page = await app!.newPage();
    await signIn(page, ADMIN);
    await expectNoOverflow(page, ADMIN_PAGES);
    // Each link of the header is whole on screen: none cut at the window's edge or its row's.
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      const cut = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('header nav a')]
          .filter((link) => {
            const box = link.getBoundingClientRect();
            const row = link.parentElement!.getBoundingClientRect();
            return box.left < Math.max(0, row.left) - 0.5 || box.right > Math.min(window.innerWidth, row.right) + 0.5;
          })
          .map((link) => `${link.textContent?.trim()} at ${window.innerWidth}px`),
      );
      expect(cut).toEqual([]);
    }
  });
});
