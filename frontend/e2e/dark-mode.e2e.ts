import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { NURSE } from './support/api';
import { E2eApp } from './support/app';
import { chromiumAvailable, signIn } from './support/browser';

// The page backgrounds of styles.css (--color-bg), as getComputedStyle reports them.
const LIGHT_BG = 'rgb(243, 246, 247)';
const DARK_BG = 'rgb(14, 24, 28)';

const bodyBackground = (page: Page): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const bodyScheme = (page: Page): Promise<string> => page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);

/** WCAG contrast ratio of two computed `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r, g, bl] = (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
      const c = Number(part) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high! + 0.05) / (low! + 0.05);
}

/** The header's text against its surface, and the muted text of the page against the page. */
async function headerContrasts(page: Page): Promise<{ text: number; muted: number }> {
  const colours = await page.evaluate(() => {
    const header = getComputedStyle(document.querySelector('header.app-header')!);
    const link = getComputedStyle(document.querySelector('nav[aria-label=Main] a:not(.active)')!);
    return { surface: header.backgroundColor, text: getComputedStyle(document.body).color, muted: link.color, bg: getComputedStyle(document.body).backgroundColor };
  });
  return { text: contrast(colours.text, colours.bg), muted: contrast(colours.muted, colours.surface) };
}

describe.skipIf(!chromiumAvailable())('the colour theme, in the browser', () => {
  let app: E2eApp | undefined;

  beforeAll(async () => {
    app = await E2eApp.start();
  });
  afterEach(() => app?.reset());
  afterAll(() => app?.close());

  it('the header toggle switches light and dark, the choice survives a reload, and System follows the system', async () => {
    const context = await app!.newContext();
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await signIn(page, NURSE);
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(LIGHT_BG);

    const toggle = page.getByTestId('theme-toggle');
    expect(await toggle.getAttribute('aria-label')).toBe('Theme: System');
    await toggle.click();
    await page.getByRole('radio', { name: 'Dark' }).click();
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(DARK_BG);
    expect(await bodyScheme(page)).toBe('dark');
    expect(await toggle.getAttribute('aria-label')).toBe('Theme: Dark');
    // A pointer choice closes the choices.
    expect(await page.getByTestId('theme-choices').count()).toBe(0);
    const dark = await headerContrasts(page);
    expect(dark.text).toBeGreaterThanOrEqual(4.5);
    expect(dark.muted).toBeGreaterThanOrEqual(4.5);

    await page.reload();
    await page.getByTestId('theme-toggle').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(DARK_BG);
    expect(await page.getByTestId('theme-toggle').getAttribute('aria-label')).toBe('Theme: Dark');

    await page.getByTestId('theme-toggle').click();
    await page.getByRole('radio', { name: 'Light' }).click();
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(LIGHT_BG);
    // Light wins over a dark system.
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(LIGHT_BG);
    const light = await headerContrasts(page);
    expect(light.text).toBeGreaterThanOrEqual(4.5);
    expect(light.muted).toBeGreaterThanOrEqual(4.5);

    // System: the emulated scheme decides, both ways, without a reload.
    await page.getByTestId('theme-toggle').click();
    await page.getByRole('radio', { name: 'System' }).click();
    expect(await page.evaluate(() => document.documentElement.hasAttribute('data-theme'))).toBe(false);
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(DARK_BG);
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(LIGHT_BG);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByTestId('theme-toggle').waitFor();
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(DARK_BG);
    expect(await page.evaluate(() => localStorage.getItem('clinic.colorTheme'))).toBeNull();
  });

  it('the login page already has the stored theme', async () => {
    const context = await app!.newContext();
    await context.addInitScript(() => localStorage.setItem('clinic.colorTheme', 'dark'));
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/login');
    await page.getByLabel('Email').waitFor();
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(DARK_BG);
  });

  it('the toggle is reached with Tab and worked with the keyboard: Enter opens, arrows choose, Escape closes', async () => {
    const page = await app!.newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await signIn(page, NURSE);

    const toggle = page.getByTestId('theme-toggle');
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await toggle.evaluate((element) => element === document.activeElement);
    }
    expect(reached).toBe(true);

    await page.keyboard.press('Enter');
    await page.getByTestId('theme-choices').waitFor({ state: 'visible', timeout: 2000 });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    // Focus is on the checked choice (System); the arrow moves to Light, then Dark, each applied at once.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('system');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('light');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => bodyBackground(page), { timeout: 2000 }).toBe(DARK_BG);
    // The keyboard keeps the choices open until Escape, which returns to the toggle.
    expect(await page.getByTestId('theme-choices').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    // The app renders the change on its next frame, not within the key press.
    await page.getByTestId('theme-choices').waitFor({ state: 'detached', timeout: 2000 });
    expect(await toggle.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await toggle.getAttribute('aria-label')).toBe('Theme: Dark');
    expect(await page.evaluate(() => localStorage.getItem('clinic.colorTheme'))).toBe('dark');
  });
});
