import { NgTemplateOutlet } from '@angular/common';
import { afterRenderEffect, ChangeDetectionStrategy, Component, computed, ElementRef, inject, signal, viewChild } from '@angular/core';

import { COLOR_THEMES, ColorTheme, ColorThemeService } from '../core/color-theme';

const LABELS: Record<ColorTheme, string> = {
  system: $localize`:@@shell.themeSystem:System`,
  light: $localize`:@@shell.themeLight:Light`,
  dark: $localize`:@@shell.themeDark:Dark`,
};

/**
 * The header's theme choice: a round button showing the current theme that opens three choices
 * (System, Light, Dark) as radio buttons. Arrow keys move between them and apply each at once;
 * Escape, a click elsewhere or leaving with Tab closes the choices.
 */
@Component({
  selector: 'app-theme-picker',
  template: `
    <button
      #toggle
      type="button"
      class="icon-button theme-toggle"
      data-testid="theme-toggle"
      aria-controls="theme-choices"
      [attr.aria-expanded]="open()"
      [attr.aria-label]="toggleLabel()"
      [title]="toggleLabel()"
      (click)="open.set(!open())"
    >
      <ng-container *ngTemplateOutlet="icon; context: { $implicit: theme() }" />
    </button>
    @if (open()) {
      <fieldset id="theme-choices" class="theme-choices" data-testid="theme-choices" (keydown.escape)="close(true)">
        <legend i18n="@@shell.themeLegend">Theme</legend>
        @for (choice of themes; track choice) {
          <label class="theme-choice">
            <input
              type="radio"
              name="color-theme"
              [value]="choice"
              [checked]="theme() === choice"
              (change)="choose(choice)"
              (click)="onChoiceClick($event)"
            />
            <ng-container *ngTemplateOutlet="icon; context: { $implicit: choice }" />
            {{ labels[choice] }}
          </label>
        }
      </fieldset>
    }

    <ng-template #icon let-choice>
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
        @switch (choice) {
          @case ('light') {
            <circle cx="12" cy="12" r="4" />
            <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
          }
          @case ('dark') {
            <path d="M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z" />
          }
          @default {
            <rect x="3" y="4" width="18" height="12" rx="2" />
            <path d="M8 20h8M12 16v4" />
          }
        }
      </svg>
    </ng-template>
  `,
  styles: `
    :host {
      position: relative;
      display: inline-flex;
    }

    .theme-toggle {
      border-color: var(--color-border);
    }

    .theme-toggle[aria-expanded='true'] {
      background: var(--color-primary-soft);
      color: var(--color-primary);
    }

    .theme-choices {
      position: absolute;
      top: calc(100% + 0.375rem);
      right: 0;
      z-index: 20;
      display: grid;
      gap: 0.125rem;
      min-width: 9rem;
      margin: 0;
      padding: 0.375rem;
      border: 1px solid var(--color-border);
      border-radius: var(--radius);
      background: var(--color-surface);
      box-shadow: var(--shadow-raised);
    }

    legend {
      float: left;
      width: 100%;
      padding: 0.25rem 0.5rem;
      color: var(--color-text-muted);
      font-size: 0.75rem;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.04em;
    }

    .theme-choice {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.375rem 0.5rem;
      border-radius: 6px;
      color: var(--color-text);
      font-size: 0.875rem;
      cursor: pointer;
    }

    .theme-choice:hover {
      background: var(--color-bg);
    }

    .theme-choice:has(:checked) {
      background: var(--color-primary-soft);
      color: var(--color-primary);
      font-weight: 600;
    }

    .theme-choice input {
      margin: 0;
      accent-color: var(--color-primary);
    }
  `,
  imports: [NgTemplateOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    '(document:click)': 'onDocumentClick($event)',
    '(focusout)': 'onFocusOut($event)',
  },
})
export class ThemePicker {
  private readonly service = inject(ColorThemeService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly toggle = viewChild.required<ElementRef<HTMLButtonElement>>('toggle');

  protected readonly themes = COLOR_THEMES;
  protected readonly labels = LABELS;
  protected readonly theme = this.service.theme;
  protected readonly open = signal(false);
  protected readonly toggleLabel = computed(() => $localize`:@@shell.themeToggle:Theme: ${LABELS[this.theme()]}:THEME:`);

  constructor() {
    // Opening moves focus to the checked choice, so arrow keys work at once.
    afterRenderEffect(() => {
      if (this.open()) this.host.nativeElement.querySelector<HTMLInputElement>('input:checked')?.focus();
    });
  }

  protected choose(theme: ColorTheme): void {
    this.service.set(theme);
  }

  /** A pointer's choice closes the choices; arrow keys (which click with detail 0) keep them open. */
  protected onChoiceClick(event: MouseEvent): void {
    if (event.detail > 0) this.close(true);
  }

  protected close(restoreFocus: boolean): void {
    if (!this.open()) return;
    this.open.set(false);
    if (restoreFocus) this.toggle().nativeElement.focus();
  }

  protected onDocumentClick(event: MouseEvent): void {
    if (!this.host.nativeElement.contains(event.target as Node)) this.close(false);
  }

  protected onFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (next && !this.host.nativeElement.contains(next)) this.close(false);
  }
}
