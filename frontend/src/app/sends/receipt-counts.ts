import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { SendCounts } from '@clinic/contracts';

interface Receipt {
  /** The receipt's name for `data-receipt`, the same in every language. */
  readonly key: string;
  readonly label: string;
  readonly count: number;
  /** Everyone has it. */
  readonly complete: boolean;
}

/** The receipts' names (the receipts page's column headings use the same messages). */
const RECEIPT_LABELS: Readonly<Record<keyof Omit<SendCounts, 'recipients'>, string>> = {
  delivered: $localize`:@@sends.delivered:Delivered`,
  seen: $localize`:@@sends.seen:Seen`,
  read: $localize`:@@sends.read:Read`,
  acknowledged: $localize`:@@sends.acknowledged:Acknowledged`,
};

/**
 * How many of a send's recipients have each receipt: delivered to a device, seen on screen, read,
 * and (for one that requires it) acknowledged. Live: the pages feed it `send:updated` counts.
 */
@Component({
  selector: 'app-receipt-counts',
  template: `
    <dl class="counts" [class.large]="large()" data-testid="receipt-counts">
      @for (receipt of receipts(); track receipt.key) {
        <div class="count" [class.complete]="receipt.complete" [attr.data-receipt]="receipt.key">
          <dt>{{ receipt.label }}</dt>
          <dd>
            <span class="value">{{ receipt.count }}</span><span class="of" i18n="@@sends.countOf"> of {{ counts().recipients }}</span>
          </dd>
        </div>
      }
    </dl>
  `,
  styles: `
    .counts {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 0.875rem;
      margin: 0;
      font-size: 0.875rem;
    }
    .count {
      display: flex;
      gap: 0.375rem;
      white-space: nowrap;
    }
    dt {
      color: var(--color-text-muted);
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
    }
    .value {
      font-weight: 700;
    }
    .of {
      color: var(--color-text-muted);
    }
    .complete .value {
      color: var(--color-success-text);
    }
    .large {
      gap: 0.75rem;
      font-size: 1rem;
    }
    .large .count {
      flex-direction: column-reverse;
      gap: 0;
      min-width: 7rem;
      padding: 0.625rem 0.875rem;
      border: 1px solid var(--color-border);
      border-radius: var(--radius);
      background: var(--color-bg);
    }
    .large .value {
      font-size: 1.5rem;
      line-height: 1.2;
    }
    .large dt {
      font-size: 0.8125rem;
      font-weight: 600;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReceiptCounts {
  readonly counts = input.required<SendCounts>();
  /** The acknowledged count is shown only for a send that asks for it. */
  readonly requireAck = input.required<boolean>();
  /** The receipts page's summary: one tile per receipt. */
  readonly large = input(false);

  protected readonly receipts = computed<Receipt[]>(() => {
    const counts = this.counts();
    const receipts = [
      { key: 'delivered', label: RECEIPT_LABELS.delivered, count: counts.delivered },
      { key: 'seen', label: RECEIPT_LABELS.seen, count: counts.seen },
      { key: 'read', label: RECEIPT_LABELS.read, count: counts.read },
      ...(this.requireAck() ? [{ key: 'acknowledged', label: RECEIPT_LABELS.acknowledged, count: counts.acknowledged }] : []),
    ];
    return receipts.map((receipt) => ({ ...receipt, complete: counts.recipients > 0 && receipt.count >= counts.recipients }));
  });
}
