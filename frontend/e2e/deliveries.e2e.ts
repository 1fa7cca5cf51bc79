import { randomUUID } from 'node:crypto';

import type { DeliveryPageDto } from '@clinic/contracts';
import type { Locator, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, Api, NURSE } from './support/api';
import { E2eApp } from './support/app';
import { chromiumAvailable, signIn } from './support/browser';

const NURSE_PHONE = '+41791234567';

describe.skipIf(!chromiumAvailable())('the deliveries page, in the browser', () => {
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

  /** The e2e backend has no SMTP_URL and the logging SMS provider: what it delivers waits in the outbox. */
  async function outboxEntries(count: number): Promise<DeliveryPageDto> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const page = await authorized<DeliveryPageDto>('GET', '/api/deliveries?status=outbox');
      if (page.items.length >= count || Date.now() > deadline) return page;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function authorized<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(app!.backend.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  const rowTo = (page: Page, address: string): Locator => page.locator('[data-testid="delivery-row"]').filter({ hasText: address });

  it('shows an admin the email and SMS of a critical send to the nurse kept in the outbox, without its content, at 1280 and 390 px', async () => {
    const nurse = await api.login(NURSE);
    await authorized('PATCH', `/api/users/${nurse.user.id}`, { phone: NURSE_PHONE });
    const title = `Defibrillator check ${randomUUID().slice(0, 8)}`;
    await api.send(adminToken, {
      title,
      message: 'Patient in room 12 needs the defibrillator.',
      type: 'SYSTEM_ALERT',
      priority: 'CRITICAL',
      target: { userId: nurse.user.id },
    });
    expect((await outboxEntries(2)).items).toHaveLength(2);

    const page = await app!.newPage();
    await signIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { name: 'Deliveries', level: 1 }).waitFor();
    expect(await page.getByTestId('outbox-explained').textContent()).toContain('without an SMTP server (SMTP_URL)');

    await page.getByRole('navigation', { name: 'Filter deliveries' }).getByRole('link', { name: 'Outbox' }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'outbox');
    const email = rowTo(page, NURSE.email);
    const sms = rowTo(page, NURSE_PHONE);
    await email.waitFor({ timeout: 5_000 });
    await sms.waitFor({ timeout: 5_000 });

    for (const [row, channel] of [
      [email, 'Email'],
      [sms, 'SMS'],
    ] as const) {
      expect(await row.getByTestId('channel').textContent()).toBe(channel);
      expect(await row.getByTestId('status').textContent()).toBe('Outbox');
      expect(await row.textContent()).toContain('Nora Nurse');
      expect(await row.textContent()).toContain('CRITICAL notification');
      // Patient privacy: without EXTERNAL_CHANNELS_INCLUDE_CONTENT, nothing of the notification leaves the app.
      expect(await row.textContent()).not.toContain(title);
      expect(await row.getByRole('button', { name: /^Retry/ }).count()).toBe(0);
    }

    await page.setViewportSize({ width: 390, height: 844 });
    await email.waitFor();
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(sideways).toBeLessThanOrEqual(0);
    // The rows stack: each is a card as wide as the list, its cells one under the other.
    expect(await email.evaluate((row) => getComputedStyle(row).display)).toBe('block');

    await page.getByRole('navigation', { name: 'Filter deliveries' }).getByRole('link', { name: 'Failed' }).click();
    await page.getByText('No delivery has failed.').waitFor({ timeout: 5_000 });
  });
});

/** A real SMTP server in the test process that refuses (451) until told otherwise, and counts what it accepts. */
async function startSmtp(): Promise<{ url: string; accepted: string[]; setRefusing(refusing: boolean): void; close(): Promise<void> }> {
  const accepted: string[] = [];
  let refusing = true;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        if (refusing) return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
        accepted.push(...session.envelope.rcptTo.map((rcpt) => rcpt.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server as unknown as { server: import('node:net').Server }).server.address() as import('node:net').AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    setRefusing: (value) => (refusing = value),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!chromiumAvailable())('a failed delivery, retried from the deliveries page', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  let app: E2eApp | undefined;

  beforeAll(async () => {
    smtp = await startSmtp();
    // One attempt: a refusal dead-letters the mail at once.
    app = await E2eApp.start({ SMTP_URL: smtp.url, DELIVERY_MAX_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('lists the mail the server refused as failed, and Retry sends it once the server accepts again', async () => {
    const api = app!.api;
    const adminToken = (await api.login(ADMIN)).accessToken;
    const nurse = await api.login(NURSE);
    const deliveries = async (status: string): Promise<DeliveryPageDto> => {
      const response = await fetch(`${app!.backend.baseUrl}/api/deliveries?status=${status}`, { headers: { authorization: `Bearer ${adminToken}` } });
      return (await response.json()) as DeliveryPageDto;
    };
    await api.send(adminToken, { title: 'Fridge alarm', message: 'Move the vaccines.', priority: 'CRITICAL', target: { userId: nurse.user.id } });
    await expect.poll(async () => (await deliveries('failed')).items.length, { timeout: 15_000 }).toBe(1);

    const page = await app!.newPage();
    await signIn(page, ADMIN, '/deliveries?status=failed');
    const row = page.locator('[data-testid="delivery-row"]').filter({ hasText: NURSE.email });
    await row.waitFor({ timeout: 5_000 });
    expect(await row.getByTestId('status').textContent()).toBe('Failed');
    expect(await row.textContent()).toContain('451');

    smtp!.setRefusing(false);
    await row.getByRole('button', { name: /^Retry/ }).click();
    await expect.poll(() => row.getByTestId('status').textContent(), { timeout: 5_000 }).toBe('Queued');
    await expect.poll(() => smtp!.accepted, { timeout: 15_000 }).toEqual([NURSE.email]);
    await expect.poll(async () => (await deliveries('sent')).items.map((item) => item.address), { timeout: 5_000 }).toEqual([NURSE.email]);
    expect((await deliveries('failed')).items).toEqual([]);
  });
});
