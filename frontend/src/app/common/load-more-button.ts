import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';

/** The button under a paged list that asks for the next page; busy while it loads. */
@Component({
  selector: 'app-load-more-button',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'more' },
  template: `
    <button type="button" class="button" [disabled]="loading()" [attr.aria-busy]="loading()" (click)="load.emit()">
      @if (loading()) {
        <ng-container i18n="@@common.loading">Loading…</ng-container>
      } @else {
        {{ label() }}
      }
    </button>
  `,
})
export class LoadMoreButton {
  readonly loading = input.required<boolean>();
  readonly label = input($localize`:@@common.loadMore:Load more`);
  readonly load = output<void>();
}
