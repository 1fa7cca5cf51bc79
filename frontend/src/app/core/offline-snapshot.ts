import { effect, inject, Injectable, signal, untracked } from '@angular/core';
import { Router } from '@angular/router';
import type { NotificationDto, UserDto } from '@clinic/contracts';
import { createStore, del, get, set, type UseStore } from 'idb-keyval';

import { AuthService } from './auth-service';

/** What this device keeps of the signed-in user's inbox, in IndexedDB. */
export interface KeptInbox {
  user: UserDto;
  /** The first page, newest first, as the server last sent it. */
  items: NotificationDto[];
  unreadCount: number;
  /** When it was the server's state (ISO). */
  savedAt: string;
}

const KEY = 'inbox';

/**
 * A kept inbox older than a shift is not shown, and deleted: on a shared ward computer whose last
 * user's session lapsed while the app was closed, the next person to open it offline must not
 * find that user's patients.
 */
export const KEPT_FOR_MS = 12 * 60 * 60_000;

/**
 * The last inbox of the signed-in user, kept on this device for a reload while the server cannot be
 * reached (the app shell then comes from the service worker): the guard of the signed-in pages lets
 * the app in with it, and the shell shows it, marked as possibly out of date, until the session
 * can be restored or is refused. It holds patients' names, so it goes as soon as the session is
 * over: signed out, ended by the server, refused at start or on a retry.
 *
 * Tiny on purpose, and started with the app: the login page must forget a refused session's
 * inbox, and must not download the notification state to do so (notifications/data/offline-inbox.ts
 * saves and shows it from the shell).
 */
@Injectable({ providedIn: 'root' })
export class OfflineSnapshot {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly database: UseStore | null = typeof indexedDB === 'undefined' ? null : createStore('clinic-offline', 'kept');
  private readonly current = signal<KeptInbox | null>(null);

  /** The kept inbox the app shows now, the server being unreachable; null otherwise. */
  readonly shown = this.current.asReadonly();

  constructor() {
    let signedInAs: string | null = null;
    effect(() => {
      const user = this.auth.user();
      const unreachable = this.auth.serverUnreachable();
      untracked(() => {
        if (user) {
          signedInAs = user.id;
          this.current.set(null);
        } else if (signedInAs !== null || unreachable === false) {
          signedInAs = null;
          if (this.current()) {
            this.current.set(null);
            void this.router.navigateByUrl('/login');
          }
          void this.forget();
        }
      });
    });
    this.auth.beforeSignOut(() => {
      this.current.set(null);
      void this.forget();
    });
  }

  /** Shows the kept inbox when start-up could not reach the server and one is kept; whether it does. */
  async showIfUnreachable(): Promise<boolean> {
    if (this.current()) return true;
    if (!this.auth.serverUnreachable() || this.auth.isAuthenticated() || !this.database) return false;
    const kept = await get<KeptInbox>(KEY, this.database).catch(() => undefined);
    if (kept && Date.now() - Date.parse(kept.savedAt) > KEPT_FOR_MS) {
      void this.forget();
      return false;
    }
    if (!kept || this.auth.isAuthenticated() || !this.auth.serverUnreachable()) return false;
    this.current.set(kept);
    return true;
  }

  async save(kept: KeptInbox): Promise<void> {
    // Storage refused (private mode, quota): the app works as before, only not offline.
    if (this.database) await set(KEY, kept, this.database).catch(() => undefined);
  }

  private async forget(): Promise<void> {
    if (this.database) await del(KEY, this.database).catch(() => undefined);
  }
}
