import { ChangeDetectionStrategy, Component, inject } from '@angular/core';

import { AlertSound } from './alert-sound';

/**
 * Says, under the header, that an alert's sound could not play because the browser keeps the page
 * silent until the user interacts with it; its button (or any click or key press) lets it play.
 */
@Component({
  selector: 'app-sound-blocked-notice',
  template: `
    <div aria-live="polite">
      @if (blocked()) {
        <div class="sound-notice" data-testid="sound-blocked">
          <div class="inner">
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
              <path
                d="M4 9.5v5h3.5L12 19V5L7.5 9.5H4Zm12 0 5 5m0-5-5 5"
                fill="none"
                stroke="currentColor"
                stroke-width="1.8"
                stroke-linecap="round"
                stroke-linejoin="round"
              />
            </svg>
            <p i18n="@@toast.soundBlocked">Sound is blocked by the browser until you interact with the page.</p>
            <button type="button" class="button button-small" (click)="enable()" i18n="@@toast.enableSound">Enable sound</button>
          </div>
        </div>
      }
    </div>
  `,
  styles: `
    .sound-notice {
      border-bottom: 1px solid var(--color-border);
      background: var(--color-warning-soft);
      color: var(--color-warning-text);
      font-weight: 500;
    }
    .inner {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 0.75rem;
      max-width: 80rem;
      margin: 0 auto;
      padding: 0.5rem 1.5rem;
    }
    svg {
      flex: none;
    }
    p {
      flex: 1 1 14rem;
      margin: 0;
    }
    @media (max-width: 48rem) {
      .inner {
        padding: 0.5rem 1rem;
      }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SoundBlockedNotice {
  private readonly sound = inject(AlertSound);

  protected readonly blocked = this.sound.blocked;

  protected enable(): void {
    this.sound.enable();
  }
}
