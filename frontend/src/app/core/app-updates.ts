import { DOCUMENT } from '@angular/common';
import {
  APP_INITIALIZER,
  ChangeDetectionStrategy,
  Component,
  createEnvironmentInjector,
  DestroyRef,
  EnvironmentInjector,
  inject,
  Injectable,
  isDevMode,
  runInInjectionContext,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { provideServiceWorker, SwUpdate } from '@angular/service-worker';
import { filter } from 'rxjs';

import { PageReload } from './page-reload';

/** A tab left open for a shift still learns of a deployment: the service worker asks this often. */
const CHECK_EVERY_MS = 15 * 60_000;

/**
 * The service worker and its client, started by the first use of AppUpdates (the update prompt, which
 * the root component loads once the browser is idle) rather than provided at bootstrap, so that the
 * client is not in the JavaScript a page needs to start. The app shell and its files then come from the worker's
 * cache, so a reload while the server is down still opens the app (ngsw-config.json; index.html is
 * fetched fresh whenever the server answers, for its style nonce).
 */
function startServiceWorker(parent: EnvironmentInjector): SwUpdate {
  const injector = createEnvironmentInjector(
    // Registered once the app is stable (at most 30 s): not competing with the first page's requests.
    [provideServiceWorker('ngsw-worker.js', { enabled: !isDevMode(), registrationStrategy: 'registerWhenStable:30000' })],
    parent,
  );
  // provideServiceWorker registers the worker from an app initializer, and only the root injector
  // runs those at bootstrap: this injector's are run here.
  runInInjectionContext(injector, () => injector.get(APP_INITIALIZER).forEach((initialize) => void initialize()));
  return injector.get(SwUpdate);
}

/**
 * A new deployment, as the service worker finds it: the new files are downloaded in the
 * background, then the user is asked; the page reloads only when they say so, since a reload
 * while typing an order would lose it. A broken cache (files evicted under storage pressure) asks too.
 */
@Injectable({ providedIn: 'root' })
export class AppUpdates {
  private readonly updates = startServiceWorker(inject(EnvironmentInjector));
  private readonly document = inject(DOCUMENT);
  private readonly page = inject(PageReload);
  private readonly state = signal<'none' | 'ready' | 'broken'>('none');

  /** 'ready': a new version is downloaded; 'broken': this version can no longer be served offline. */
  readonly available = this.state.asReadonly();

  constructor() {
    if (!this.updates.isEnabled) return;
    this.updates.versionUpdates
      .pipe(
        filter((event) => event.type === 'VERSION_READY'),
        takeUntilDestroyed(),
      )
      .subscribe(() => {
        // The page names the files of one version, and the service worker keeps one copy of it for
        // all versions: fetched again now, the copy it shows offline names the version it has.
        this.keepPage();
        this.state.set('ready');
      });
    this.updates.unrecoverable.pipe(takeUntilDestroyed()).subscribe(() => this.state.set('broken'));

    // The service worker caches the page itself as the page is fetched through it (ngsw-config.json):
    // the first visit's page came before the worker, so it is fetched once more when the worker
    // takes over, and a reload while the server is down works from the first visit on.
    this.document.defaultView?.navigator.serviceWorker?.addEventListener('controllerchange', () => this.keepPage(), { once: true });

    const check = () => void this.updates.checkForUpdate().catch(() => undefined);
    const whenShown = () => {
      if (this.document.visibilityState === 'visible') check();
    };
    const timer = setInterval(check, CHECK_EVERY_MS);
    this.document.addEventListener('visibilitychange', whenShown);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(timer);
      this.document.removeEventListener('visibilitychange', whenShown);
    });
  }

  /** Switches to the downloaded version and reloads the page in it. */
  async reload(): Promise<void> {
    if (this.state() === 'ready') await this.updates.activateUpdate().catch(() => undefined);
    this.page.reload();
  }

  /** Fetches the page through the service worker, which keeps it for a reload while offline. */
  private keepPage(): void {
    void fetch('/index.html', { credentials: 'same-origin' }).catch(() => undefined);
  }

  later(): void {
    this.state.set('none');
  }
}

/** The offer to reload into a new version, at the bottom of every page, the login page included. */
@Component({
  selector: 'app-update-prompt',
  template: `
    <div class="update-region" role="status">
      @if (updates.available() !== 'none') {
        <div class="update-prompt">
          <p>
            @if (updates.available() === 'ready') {
              <ng-container i18n="@@update.ready">A new version of the app is ready.</ng-container>
            } @else {
              <ng-container i18n="@@update.broken">This version of the app can no longer work offline.</ng-container>
            }
          </p>
          <button type="button" class="button button-primary button-small" (click)="updates.reload()" i18n="@@update.reload">Reload now</button>
          <button type="button" class="button button-small" (click)="updates.later()" i18n="@@update.later">Later</button>
        </div>
      }
    </div>
  `,
  styles: `
    .update-prompt {
      position: fixed;
      inset-inline: 0.75rem;
      bottom: 0.75rem;
      z-index: 40;
      max-width: 32rem;
      margin-inline: auto;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 0.75rem;
      padding: 0.75rem 1rem;
      border-radius: var(--radius);
      background: var(--color-surface);
      color: var(--color-text);
      border: 1px solid var(--color-border);
      box-shadow: var(--shadow-raised);
    }
    .update-prompt p {
      flex: 1 1 12rem;
      margin: 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UpdatePrompt {
  protected readonly updates = inject(AppUpdates);
}
