import { DOCUMENT } from '@angular/common';
import { inject, InjectionToken } from '@angular/core';

/**
 * The browser's Web Locks, which serialise work across every tab of the app; null where the
 * browser has none (insecure origins, old browsers).
 */
export const WEB_LOCKS = new InjectionToken<LockManager | null>('WEB_LOCKS', {
  providedIn: 'root',
  factory: () => inject(DOCUMENT).defaultView?.navigator.locks ?? null,
});

/** Opens a BroadcastChannel to the app's other tabs; null where the browser has none. */
export const OPEN_BROADCAST_CHANNEL = new InjectionToken<((name: string) => BroadcastChannel) | null>(
  'OPEN_BROADCAST_CHANNEL',
  {
    providedIn: 'root',
    factory: () => {
      const Channel = inject(DOCUMENT).defaultView?.BroadcastChannel;
      return Channel ? (name) => new Channel(name) : null;
    },
  },
);
