import type { OrderDto } from '@clinic/contracts';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { ADMIN, NURSE } from './support/api';
import { useE2eApp } from './support/app';
import { chromiumAvailable, waitForConnection } from './support/browser';
import { readCatalogue, visiblePieces } from './support/i18n';

/**
 * The app's own English words that must not show in Spanish: each message's fixed pieces, from
 * the extracted catalogue, where the Spanish translation says something else.
 */
function englishPieces(): { short: Set<string>; long: string[] } {
  const english = readCatalogue('messages.json').translations;
  const spanish = readCatalogue('messages.es.json').translations;
  const short = new Set<string>();
  const long: string[] = [];
  for (const [id, text] of Object.entries(english)) {
    const translated = visiblePieces(spanish[id] ?? '');
    for (const piece of visiblePieces(text)) {
      if (translated.includes(piece)) continue; // the same in both ("Email" → "Email"), or a name
      if (piece.split(' ').length >= 3) long.push(piece);
      else short.add(piece);
    }
  }
  return { short, long };
}

/** Every text node and read attribute of the page, trimmed: what a user sees or a screen reader says. */
function pageTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node instanceof Element) {
        if (node.closest('script, style, [translate="no"]')) continue;
        for (const name of ['aria-label', 'placeholder', 'title', 'alt', 'data-label']) {
          const value = node.getAttribute(name);
          if (value) texts.push(value);
        }
      } else if (!node.parentElement?.closest('script, style, [translate="no"]')) {
        texts.push(node.textContent ?? '');
      }
    }
    texts.push(document.title);
    return texts.map((text) => text.replace(/\s+/g, ' ').trim()).filter(Boolean);
  });
}

/** The English left on the page: texts that are an English piece, or hold a longer one. */
async function englishLeft(page: Page): Promise<string[]> {
  const { short, long } = englishPieces();
  return (await pageTexts(page)).filter((text) => short.has(text) || long.some((piece) => text.includes(piece)));
}

describe.runIf(chromiumAvailable())('the app in Spanish', () => {
  const e2e = useE2eApp();

  it('shows the inbox, orders and preferences without English, with Spanish dates and amounts, and the server writes in Spanish', async () => {
    const app = e2e();
    const nurse = await app.api.login(NURSE);
    await app.api.updateSettings(nurse.accessToken, { language: 'es' });
    const admin = await app.api.login(ADMIN);
    const order: OrderDto = await app.api.createOrder(admin.accessToken, {
      patientName: 'Lucía Fernández',
      description: 'Análisis de sangre',
      total: '1234.50',
      assigneeId: nurse.user.id,
    });

    // A device still in English: signing in reloads it in the user's language.
    const page = await app.newPage();
    await page.goto('/login?returnUrl=%2Fnotifications');
    await page.getByLabel('Email').waitFor();
    // The check sees English where there is some: the login page before the language changes.
    expect(await englishLeft(page)).toEqual(expect.arrayContaining(['Sign in', 'Password']));
    await page.getByLabel('Email').fill(NURSE.email);
    await page.getByLabel('Password').fill(NURSE.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'es', null, { timeout: 15_000 });
    await page.waitForURL((url) => url.pathname === '/notifications');
    await waitForConnection(page, 'Conectado', 15_000);

    // The order's notification, written by the server in the recipient's language.
    await page.getByText('Nuevo pedido para Lucía Fernández').first().waitFor();
    expect(await page.getByText('Hoy', { exact: true }).count()).toBeGreaterThan(0);
    expect(await englishLeft(page)).toEqual([]);

    await page.goto(`/orders?order=${order.id}`);
    await page.getByText('Lucía Fernández').first().waitFor();
    // 1234.50 in the clinic's currency (USD), as Spanish writes it; the order's date too.
    expect(await page.locator('main').innerText()).toMatch(/1234,50\s?US\$/);
    expect(await page.locator('main').innerText()).toMatch(/\b\d{1,2} [a-z]{3,4}\.? \d{4}|\bhace \d+|\bahora\b/);
    expect(await englishLeft(page)).toEqual([]);

    await page.goto('/preferences');
    await page.getByLabel('Idioma').waitFor();
    expect(await page.getByLabel('Idioma').inputValue()).toBe('es');
    expect(await englishLeft(page)).toEqual([]);
  });
});
