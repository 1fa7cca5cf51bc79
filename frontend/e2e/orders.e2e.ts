import { randomUUID } from 'node:crypto';

import type { OrderDto } from '@clinic/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, NURSE } from './support/api';
import { E2eApp } from './support/app';
import { chromiumAvailable, inboxItems, signIn } from './support/browser';

describe.skipIf(!chromiumAvailable())('an order opened from its notification, in the browser', () => {
  let app: E2eApp | undefined;

  beforeAll(async () => {
    app = await E2eApp.start();
  });
  afterEach(() => app?.reset());
  afterAll(() => app?.close());

  async function createOrder(patientName: string, assigneeId: string): Promise<OrderDto> {
    const { accessToken } = await app!.api.login(ADMIN);
    const response = await fetch(`${app!.backend.baseUrl}/api/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ patientName, description: 'Blood panel', total: '42.00', assigneeId }),
    });
    if (response.status !== 201) throw new Error(`create order: ${response.status} ${await response.text()}`);
    return (await response.json()) as OrderDto;
  }

  it('"View order" opens the orders page with that order marked and scrolled into view', async () => {
    const nurse = await app!.api.login(NURSE);
    // Enough orders that the linked one is not at the top of the list.
    const patient = `Ada Lovelace ${randomUUID().slice(0, 6)}`;
    const linked = await createOrder(patient, nurse.user.id);
    for (let i = 0; i < 12; i++) await createOrder(`Later patient ${i}`, nurse.user.id);

    const page = await app!.newPage();
    await page.setViewportSize({ width: 1280, height: 600 });
    await signIn(page, NURSE);
    await inboxItems(page).filter({ hasText: patient }).first().click();

    await page.waitForURL((url) => url.pathname === '/orders' && url.searchParams.get('order') === linked.id);
    const row = page.locator(`[data-testid="order-row"][aria-current="true"]`);
    await row.waitFor();
    expect(await row.getAttribute('id')).toBe(`order-${linked.id}`);
    expect(await row.textContent()).toContain(patient);
    expect(await page.locator('[data-testid="order-row"][aria-current="true"]').count()).toBe(1);
    // Scrolled to: the row is on screen, not below the fold.
    await expect.poll(() => row.evaluate((element) => {
      const box = element.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    })).toBe(true);
  });
});
