import { LiveAnnouncer } from '@angular/cdk/a11y';
import { DOCUMENT } from '@angular/common';
import { DestroyRef, inject, Injectable, signal } from '@angular/core';

import { AuthService } from '../../core/auth-service';

/** How long an archive or delete can be undone. */
export const UNDO_WINDOW_MS = 5_000;

/** Something just done that can still be taken back. */
export interface Undoable {
  /** What was done, as the bar says it: "Archived “Lab results”". */
  readonly message: string;
  /** Takes it back. */
  readonly undo: () => void;
  /** The window closed without an undo (a delete is sent to the server only now). */
  readonly commit?: () => void;
}

interface Offer extends Undoable {
  readonly id: number;
}

/**
 * The one action that can be undone now, shown by the undo bar for 5 s. The window pauses while
 * the pointer or keyboard focus is on the bar; Ctrl+Z (⌘Z) undoes from anywhere outside a text
 * field, so a keyboard user need not reach the bar in time. A newer action closes the window of
 * the one before (as in a mail client: one undo at a time). Leaving the tab (hidden, closed) or
 * signing out ends the window early: what waits for it (a delete) goes to the server then.
 */
@Injectable({ providedIn: 'root' })
export class UndoService {
  private readonly announcer = inject(LiveAnnouncer);
  private readonly shown = signal<Offer | null>(null);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private remainingMs = UNDO_WINDOW_MS;
  private startedAt = 0;
  private held = false;
  private nextId = 1;

  /** What the bar shows, or null. */
  readonly current = this.shown.asReadonly();

  constructor() {
    const document = inject(DOCUMENT);
    const window = document.defaultView;
    // A phone may freeze or discard a hidden tab without `pagehide`: the window ends on leaving it.
    const onLeave = () => {
      if (document.visibilityState === 'hidden') this.commit();
    };
    const onPageHide = () => this.commit();
    const onKeydown = (event: KeyboardEvent) => {
      if (!this.shown() || event.key.toLowerCase() !== 'z' || !(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
      if (isTextField(event.target)) return;
      event.preventDefault();
      this.undo();
    };
    window?.addEventListener('pagehide', onPageHide);
    document.addEventListener('visibilitychange', onLeave);
    document.addEventListener('keydown', onKeydown);
    const stopHook = inject(AuthService).beforeSignOut(() => this.commit());
    inject(DestroyRef).onDestroy(() => {
      window?.removeEventListener('pagehide', onPageHide);
      document.removeEventListener('visibilitychange', onLeave);
      document.removeEventListener('keydown', onKeydown);
      stopHook();
    });
  }

  /** Shows `action` with "Undo"; returns its id, for `withdraw`. */
  offer(action: Undoable): number {
    this.commit();
    const id = this.nextId++;
    this.shown.set({ ...action, id });
    this.remainingMs = UNDO_WINDOW_MS;
    if (!this.held) this.run();
    void this.announcer.announce(
      $localize`:@@toast.undoAnnouncement:${action.message}:ACTION:. To undo, press Control+Z within ${UNDO_WINDOW_MS / 1000}:SECONDS: seconds.`,
      'polite',
    );
    return id;
  }

  /** The action failed (and was put back): nothing is left to undo or to send. */
  withdraw(id: number): void {
    if (this.shown()?.id === id) this.close();
  }

  /** "Undo" was pressed. */
  undo(): void {
    const offer = this.close();
    if (!offer) return;
    offer.undo();
    void this.announcer.announce('Undone.', 'polite');
  }

  /** The window ends now: what waits for it goes ahead. */
  commit(): void {
    this.close()?.commit?.();
  }

  /** The user signed out: nothing of theirs is sent any more (a delete waiting for the window is not done). */
  drop(): void {
    this.close();
  }

  /** Pointer or focus on the bar: the window waits. */
  hold(): void {
    if (this.held) return;
    this.held = true;
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.remainingMs = Math.max(0, this.remainingMs - (Date.now() - this.startedAt));
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.shown()) this.run();
  }

  private run(): void {
    this.startedAt = Date.now();
    this.timer = setTimeout(() => this.commit(), this.remainingMs);
  }

  private close(): Offer | null {
    const offer = this.shown();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // The bar goes with it, and a removed element tells no `mouseleave` or `focusout`.
    this.held = false;
    this.shown.set(null);
    return offer;
  }
}

function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(target.type)));
}
