import { DOCUMENT } from '@angular/common';
import { inject, Injectable } from '@angular/core';

const CLAIMS_STORAGE_KEY = 'clinic.notify.claims';
const CLAIM_LOCK_PREFIX = 'notify:';
/** How long a claim is remembered: far longer than any delivery path (socket, replay, poll) takes. */
const CLAIM_TTL_MS = 10 * 60_000;
/** A hidden tab lets a visible one claim first for this long. */
const HIDDEN_TAB_GRACE_MS = 400;

/**
 * Decides which of the user's open tabs tells them about a notification, so that every
 * notification gives exactly one toast and at most one desktop notification however many tabs
 * are open (each tab has its own socket, so each receives every event).
 *
 * - A visible tab claims at once; a hidden tab first waits HIDDEN_TAB_GRACE_MS, so the tab the
 *   user is looking at wins whenever there is one.
 * - A claim is a check-and-set of the notification id in localStorage, done while holding the
 *   Web Lock `notify:<id>` requested with `ifAvailable`. The lock serialises tabs racing for the
 *   same id (a tab that finds it taken gives up: the holder is claiming); the localStorage record
 *   makes the claim outlive the lock, for a tab whose copy arrives later (a slow socket, a
 *   catch-up replay after reconnecting, a poll).
 * - Without Web Locks (insecure origins, old browsers) the check-and-set runs unlocked; a
 *   near-simultaneous race could then show two toasts, and the desktop notification's `tag`
 *   (the notification id) still collapses duplicates into one.
 *
 * localStorage is shared by every tab of the origin and readable synchronously inside the lock,
 * so no BroadcastChannel round trip is needed. Other browsers and devices have their own storage
 * and claim independently: each device shows its own toast, as intended.
 */
@Injectable({ providedIn: 'root' })
export class NotificationClaims {
  private readonly document = inject(DOCUMENT);
  private readonly window = this.document.defaultView;

  async claim(notificationId: string): Promise<boolean> {
    if (this.document.visibilityState === 'hidden') {
      await new Promise((resolve) => setTimeout(resolve, HIDDEN_TAB_GRACE_MS));
    }
    const locks = this.window?.navigator.locks;
    if (!locks) return this.checkAndSet(notificationId);
    return locks.request(CLAIM_LOCK_PREFIX + notificationId, { ifAvailable: true }, (lock) =>
      lock ? this.checkAndSet(notificationId) : false,
    );
  }

  private checkAndSet(notificationId: string): boolean {
    const storage = this.window?.localStorage;
    if (!storage) return true;
    const now = Date.now();
    const claims = this.readClaims(storage, now);
    if (claims[notificationId]) return false;
    claims[notificationId] = now;
    try {
      storage.setItem(CLAIMS_STORAGE_KEY, JSON.stringify(claims));
    } catch {
      // Storage full or blocked: still announce here rather than nowhere.
    }
    return true;
  }

  private readClaims(storage: Storage, now: number): Record<string, number> {
    const fresh: Record<string, number> = {};
    try {
      const stored: unknown = JSON.parse(storage.getItem(CLAIMS_STORAGE_KEY) ?? '{}');
      if (typeof stored === 'object' && stored !== null) {
        for (const [id, at] of Object.entries(stored)) {
          if (typeof at === 'number' && now - at < CLAIM_TTL_MS) fresh[id] = at;
        }
      }
    } catch {
      // A corrupt record is dropped.
    }
    return fresh;
  }
}
