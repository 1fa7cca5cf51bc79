import { ChangeDetectionStrategy, Component, ElementRef, inject } from '@angular/core';

import { UndoService } from '../state/undo';

/**
 * "Archived “…” · Undo", bottom left, for 5 s after an archive or delete (on a phone, full width,
 * over the toasts). The screen reader hears it through the CDK live announcer; the
 * window waits while the pointer or focus is on the bar; Ctrl+Z undoes from anywhere (UndoService);
 * Escape on the bar closes it, keeping what was done.
 */
@Component({
  selector: 'app-undo-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (undo.current(); as offer) {
      <div
        class="undo-bar"
        data-testid="undo-bar"
        role="group"
        aria-label="Undo"
        i18n-aria-label="@@inbox.undoGroup"
        (mouseenter)="undo.hold()"
        (mouseleave)="undo.release()"
        (focusin)="undo.hold()"
        (focusout)="focusLeft($event)"
        (keydown.escape)="undo.commit()"
      >
        <p class="undo-message">{{ offer.message }}</p>
        <button
          type="button"
          class="button button-small undo-button"
          data-testid="undo"
          title="Undo (Ctrl+Z)"
          i18n-title="@@inbox.undoTitle"
          aria-keyshortcuts="Control+Z Meta+Z"
          (click)="undo.undo()"
          i18n="@@inbox.undo"
        >
          Undo
        </button>
      </div>
    }
  `,
  styles: `
    .undo-bar {
      position: fixed;
      z-index: 31;
      bottom: 1rem;
      left: 1rem;
      display: flex;
      align-items: center;
      gap: 0.75rem;
      max-width: min(28rem, calc(100vw - 2rem));
      padding: 0.625rem 0.75rem 0.625rem 1rem;
      border-radius: var(--radius);
      background: var(--color-inverse-surface);
      color: var(--color-inverse-text);
      box-shadow: var(--shadow-raised);
    }
    .undo-message {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .undo-button {
      flex: none;
    }
    @media (max-width: 30rem) {
      .undo-bar {
        right: 0.5rem;
        left: 0.5rem;
        bottom: 0.5rem;
        max-width: none;
      }
    }
  `,
})
export class UndoBar {
  protected readonly undo = inject(UndoService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected focusLeft(event: FocusEvent): void {
    if (!this.host.nativeElement.contains(event.relatedTarget as Node | null)) this.undo.release();
  }
}
