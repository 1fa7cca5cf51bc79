import { DOCUMENT } from '@angular/common';
import { inject, Injectable } from '@angular/core';

/** Reloads the page; a service of its own so a unit test can see the reload instead of undergoing it. */
@Injectable({ providedIn: 'root' })
export class PageReload {
  private readonly document = inject(DOCUMENT);

  reload(): void {
    this.document.location.reload();
  }
}
