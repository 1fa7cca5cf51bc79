import { DOCUMENT } from '@angular/common';
import { afterNextRender, ChangeDetectionStrategy, Component, ElementRef, inject, input, output, signal, viewChild } from '@angular/core';

/**
 * A password the server answered once (a new user's first one, or a reset's): shown with a copy
 * button until the admin closes it. Nothing keeps it beyond this component, so it is gone once the
 * admin closes it or leaves the page.
 */
@Component({
  selector: 'app-one-time-password',
  templateUrl: './one-time-password.html',
  styleUrl: './one-time-password.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OneTimePassword {
  private readonly clipboard = inject(DOCUMENT).defaultView?.navigator.clipboard ?? null;
  private readonly heading = viewChild.required<ElementRef<HTMLElement>>('heading');
  private readonly value = viewChild.required<ElementRef<HTMLElement>>('value');

  readonly title = input.required<string>();
  readonly password = input.required<string>();
  readonly done = output<void>();

  protected readonly copyStatus = signal<'copied' | 'failed' | null>(null);

  constructor() {
    // Announced and in view at once: this is the only moment it can be read.
    afterNextRender(() => this.heading().nativeElement.focus());
  }

  protected async copy(): Promise<void> {
    try {
      if (!this.clipboard) throw new Error('no clipboard');
      await this.clipboard.writeText(this.password());
      this.copyStatus.set('copied');
    } catch {
      // Without clipboard access, selecting it lets the admin copy it by hand.
      this.selectValue();
      this.copyStatus.set('failed');
    }
  }

  protected close(): void {
    this.done.emit();
  }

  private selectValue(): void {
    const selection = this.value().nativeElement.ownerDocument.getSelection();
    selection?.selectAllChildren(this.value().nativeElement);
  }
}
