import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

import { Api } from './api';
import { Backend, freePort } from './backend';
import { launchChromium, newContext, PageProblems, watchPageProblems } from './browser';
import { createE2eDatabase, E2eDatabase } from './database';

/**
 * Everything one test file runs against: its database, the backend on it, and a browser. Any
 * Content-Security-Policy violation in one of its pages fails the test at reset() (or close()).
 */
export class E2eApp {
  private readonly contexts: BrowserContext[] = [];
  private readonly problems: PageProblems = { cspViolations: [], consoleErrors: [] };

  private constructor(
    readonly database: E2eDatabase,
    readonly backend: Backend,
    readonly browser: Browser,
    readonly api: Api,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<E2eApp> {
    const database = await createE2eDatabase();
    const backend = new Backend(await freePort(), { ...database.env, ...env });
    let browser: Browser | undefined;
    try {
      await backend.start();
      browser = await launchChromium();
      return new E2eApp(database, backend, browser, new Api(backend.baseUrl));
    } catch (error) {
      await browser?.close().catch(() => undefined);
      await backend.stop().catch(() => undefined);
      await database.drop().catch(() => undefined);
      throw error;
    }
  }

  async newContext(): Promise<BrowserContext> {
    const context = await newContext(this.browser, this.backend.baseUrl);
    this.contexts.push(context);
    await watchPageProblems(context, this.problems);
    return context;
  }

  async newPage(): Promise<Page> {
    return (await this.newContext()).newPage();
  }

  /** Between tests: closes their browser contexts, and restarts the server if a test left it stopped. */
  async reset(): Promise<void> {
    await Promise.allSettled(this.contexts.splice(0).map((context) => context.close()));
    if (!this.backend.running) await this.backend.start();
    this.assertNoCspViolations();
  }

  /** Stops everything it started, each step on its own so that one failure leaves nothing running. */
  async close(): Promise<void> {
    await Promise.allSettled(this.contexts.splice(0).map((context) => context.close()));
    await this.browser.close().catch(() => undefined);
    await this.backend.stop().catch(() => undefined);
    await this.database.drop().catch(() => undefined);
    this.assertNoCspViolations();
  }

  /** Throws if a page broke the Content-Security-Policy since the last check, naming what it blocked. */
  private assertNoCspViolations(): void {
    const violations = this.problems.cspViolations.splice(0);
    const consoleErrors = this.problems.consoleErrors.splice(0);
    if (violations.length > 0) {
      throw new Error(
        `Content-Security-Policy violations:\n  ${violations.join('\n  ')}\nConsole errors:\n  ${consoleErrors.join('\n  ') || 'none'}`,
      );
    }
  }
}

/**
 * One E2eApp for a test file: started before its first test, reset after each (which fails the
 * test on a CSP violation), closed after the last. Call it inside the file's `describe`.
 */
export function useE2eApp(env: Record<string, string> = {}): () => E2eApp {
  let app: E2eApp | undefined;
  beforeAll(async () => {
    app = await E2eApp.start(env);
  });
  afterEach(() => app?.reset());
  afterAll(() => app?.close());
  return () => {
    if (!app) throw new Error('the app did not start');
    return app;
  };
}
