import { Dialog, DIALOG_DATA, DialogRef } from '@angular/cdk/dialog';
import { ChangeDetectionStrategy, Component, inject, Injector, signal } from '@angular/core';
import { MAX_SNOOZE_AHEAD_MS } from '@clinic/contracts';
import { Observable } from 'rxjs';

export interface SnoozeTimeDialogData {
  /** The notification's title, to say which one is snoozed. */
  readonly title: string;
}

/**
 * "Snooze until…": a time on this device's clock, within the contract's limit. A CDK dialog:
 * focus moves into it and stays there, Escape cancels, and focus returns to the row after.
 * Closes with the chosen time as ISO, or nothing.
 */
@Component({
  selector: 'app-snooze-time-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="snooze-dialog" novalidate (submit)="$event.preventDefault(); choose(until.value)">
      <h2 id="snooze-time-title" class="dialog-title" i18n="@@inbox.snoozeUntilTitle">Snooze until…</h2>
      <p class="dialog-text" i18n="@@inbox.snoozeUntilText">“{{ data.title }}” leaves the inbox until then, on all your devices, and comes back as a reminder.</p>
      <label class="field">
        <span i18n="@@inbox.snoozeDateTime">Date and time</span>
        <input
          #until
          class="input"
          type="datetime-local"
          data-testid="snooze-until"
          [attr.aria-invalid]="error() ? true : null"
          [attr.aria-describedby]="error() ? 'snooze-time-error' : null"
          (input)="error.set('')"
        />
      </label>
      @if (error()) {
        <p id="snooze-time-error" class="field-error" role="alert">{{ error() }}</p>
      }
      <div class="form-actions">
        <button type="submit" class="button button-primary" data-testid="snooze-until-apply" i18n="@@inbox.snoozeApply">Snooze</button>
        <button type="button" class="button" (click)="dialogRef.close()" i18n="@@common.cancel">Cancel</button>
      </div>
    </form>
  `,
  styles: `
    .snooze-dialog {
      display: grid;
      gap: 0.75rem;
      width: min(24rem, calc(100vw - 2rem));
      padding: 1.25rem;
      border: 1px solid var(--color-border);
      border-radius: var(--radius);
      background: var(--color-surface);
      color: var(--color-text);
      box-shadow: var(--shadow-raised);
    }
    .dialog-title {
      margin: 0;
      font-size: 1.125rem;
    }
    .dialog-text {
      margin: 0;
      color: var(--color-text-muted);
      overflow-wrap: anywhere;
    }
  `,
})
export class SnoozeTimeDialog {
  protected readonly dialogRef = inject<DialogRef<string>>(DialogRef);
  protected readonly data = inject<SnoozeTimeDialogData>(DIALOG_DATA);
  protected readonly error = signal('');

  protected choose(local: string): void {
    const at = new Date(local);
    if (!local || Number.isNaN(at.getTime())) {
      this.error.set($localize`:@@inbox.snoozeNoTime:Choose a date and a time.`);
    } else if (at.getTime() <= Date.now()) {
      this.error.set($localize`:@@inbox.snoozePast:Choose a time in the future.`);
    } else if (at.getTime() > Date.now() + MAX_SNOOZE_AHEAD_MS) {
      this.error.set($localize`:@@inbox.snoozeTooFar:A snooze ends within ${MAX_SNOOZE_AHEAD_MS / 86_400_000}:DAYS: days.`);
    } else {
      this.dialogRef.close(at.toISOString());
    }
  }
}

/** Opens the dialog; `trigger` gets the focus back when it closes. Emits the chosen time, or nothing. */
export function openSnoozeTimeDialog(injector: Injector, data: SnoozeTimeDialogData, trigger: HTMLElement): Observable<string | undefined> {
  return injector.get(Dialog).open<string, SnoozeTimeDialogData>(SnoozeTimeDialog, {
    data,
    ariaLabelledBy: 'snooze-time-title',
    restoreFocus: trigger,
  }).closed;
}
