import { existsSync } from 'node:fs';

import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';

import type { Account } from './api';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Without Chromium they are skipped with a visible note, except
 * under CI=true, where that is a failure: CI must exercise them.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env['CI'] === 'true') {
    throw new Error(`CI=true but no Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  console.warn(
    `\n  ⚠ Browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.\n`,
  );
  return false;
}

/** Debian's Chromium, headless, with a fresh temporary profile and nothing phoning home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function newContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
}

/** What went wrong in a context's pages: Content-Security-Policy violations, and console errors. */
export interface PageProblems {
  readonly cspViolations: string[];
  readonly consoleErrors: string[];
}

/**
 * Records every `securitypolicyviolation` event (enforced or report-only) and every console error
 * of the context's pages, present and future. Console errors are kept for diagnosis only: a
 * refused refresh at start-up (no session yet) is one, and expected.
 */
export async function watchPageProblems(context: BrowserContext, problems: PageProblems): Promise<void> {
  await context.exposeBinding('reportCspViolation', ({ page }, violation: string) => {
    problems.cspViolations.push(`${page?.url() ?? '?'}: ${violation}`);
  });
  await context.addInitScript(() => {
    const report = (window as unknown as { reportCspViolation(violation: string): Promise<void> }).reportCspViolation;
    document.addEventListener(
      'securitypolicyviolation',
      (event) => void report(`${event.disposition} ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`),
      true,
    );
  });
  const watch = (page: Page) =>
    page.on('console', (message) => {
      if (message.type() === 'error') problems.consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
  context.pages().forEach(watch);
  context.on('page', watch);
}

/** Signs in through the login page and waits for the live connection. */
export async function signIn(page: Page, account: Account, landing = '/notifications'): Promise<void> {
  await page.goto(`/login?returnUrl=${encodeURIComponent(landing)}`);
  await submitSignIn(page, account, landing);
}

/** Fills in and submits the login page the app already shows (no reload), and waits for the live connection. */
export async function submitSignIn(page: Page, account: Account, landing = '/notifications'): Promise<void> {
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === landing.split('?')[0]);
  await waitForConnection(page, 'Connected', 15_000);
}

/** Waits until the header's connection indicator reads `label` (Connected, Reconnecting, Live updates paused, Offline). */
export async function waitForConnection(page: Page, label: string, timeout: number): Promise<void> {
  // The indicator's text starts with its label; a longer explanation for screen readers follows.
  await connectionState(page).filter({ hasText: new RegExp(`^\\s*${label}\\b`) }).waitFor({ timeout });
}

export const bell = (page: Page): Locator => page.getByTestId('notification-bell');
export const badge = (page: Page): Locator => page.getByTestId('notification-badge');
export const connectionState = (page: Page): Locator => page.getByTestId('connection-state');
export const toasts = (page: Page): Locator => page.getByTestId('toast');
/** Items of the notifications page (the dropdown has its own). */
export const inboxItems = (page: Page): Locator => page.locator('main [data-testid="notification-item"]');

/** What a page passed to `new Notification(title, options)`. */
export interface DesktopNotificationCall {
  readonly title: string;
  readonly body: string | undefined;
}

/**
 * Plays a user who works in another window and answers the browser's notification prompt with
 * "Allow": every page of the context reports that it does not have focus (so the app shows desktop
 * notifications), `Notification.requestPermission()` grants the permission to `origin` before
 * asking the real API, and each `new Notification(title, options)` is recorded, then shown by the
 * real API.
 */
export async function recordDesktopNotifications(context: BrowserContext, origin: string): Promise<void> {
  await context.exposeBinding('allowDesktopNotifications', () => context.grantPermissions(['notifications'], { origin }));
  await context.addInitScript(() => {
    const RealNotification = window.Notification;
    const calls: DesktopNotificationCall[] = [];
    const prompt = window as unknown as { allowDesktopNotifications(): Promise<void> };
    class RecordingNotification extends RealNotification {
      constructor(title: string, options?: NotificationOptions) {
        calls.push({ title, body: options?.body });
        super(title, options);
      }

      static override async requestPermission(): Promise<NotificationPermission> {
        await prompt.allowDesktopNotifications();
        return RealNotification.requestPermission();
      }
    }
    Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true, writable: true });
    Object.defineProperty(window, 'desktopNotificationCalls', { value: calls });
    Document.prototype.hasFocus = () => false;
  });
}

/** The desktop notifications the page has shown so far (needs recordDesktopNotifications). */
export function desktopNotificationCalls(page: Page): Promise<DesktopNotificationCall[]> {
  return page.evaluate(() => (window as unknown as { desktopNotificationCalls: DesktopNotificationCall[] }).desktopNotificationCalls);
}

/** Waits until the locator has exactly this text, failing after `timeout` ms. */
export async function waitForText(locator: Locator, text: string, timeout: number): Promise<void> {
  await locator.filter({ hasText: new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`) }).first().waitFor({ timeout });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
