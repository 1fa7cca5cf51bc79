import { DOCUMENT, NgComponentOutlet } from '@angular/common';
import { afterNextRender, ChangeDetectionStrategy, Component, DestroyRef, inject, signal, Type } from '@angular/core';
import { RouterOutlet } from '@angular/router';

import { whenIdle } from './core/when-idle';

/** The longest the update prompt waits for the browser to be idle after the first render. */
const UPDATES_IDLE_TIMEOUT_MS = 5_000;

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, NgComponentOutlet],
  template: '<router-outlet /><ng-container *ngComponentOutlet="updatePrompt()" />',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {
  protected readonly updatePrompt = signal<Type<unknown> | null>(null);

  constructor() {
    // The update prompt, and the service worker with it, once the first page has rendered and the
    // browser is idle: neither is among the files a page needs to start. A dynamic import rather
    // than @defer, whose runtime would join the start-up JavaScript of every page.
    const window = inject(DOCUMENT).defaultView;
    const destroyRef = inject(DestroyRef);
    afterNextRender(() => {
      const cancel = whenIdle(
        window,
        () => void import('./core/app-updates').then(({ UpdatePrompt }) => this.updatePrompt.set(UpdatePrompt)),
        UPDATES_IDLE_TIMEOUT_MS,
      );
      destroyRef.onDestroy(cancel);
    });
  }
}
