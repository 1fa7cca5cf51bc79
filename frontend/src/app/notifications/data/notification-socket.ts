import { DOCUMENT } from '@angular/common';
import { ApplicationRef, inject, InjectionToken } from '@angular/core';
import { ClientToServerEvents, ServerToClientEvents, SOCKET_PATH, SocketAuth } from '@clinic/contracts';
import type { Socket } from 'ngx-socket-io';

import { RECONNECT_BACKOFF } from './reconnect-backoff';

export type NotificationSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long a command sent over the socket waits for its acknowledgement before REST or a refetch decides. */
export const ACK_TIMEOUT_MS = 5_000;

/** Builds the (not yet connected) socket; `auth` is asked again before every (re)connection attempt. */
export type NotificationSocketFactory = (auth: () => SocketAuth) => PromiseLike<NotificationSocket>;

export const NOTIFICATION_SOCKET_FACTORY = new InjectionToken<NotificationSocketFactory>('NOTIFICATION_SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => {
    const appRef = inject(ApplicationRef);
    const origin = inject(DOCUMENT).location.origin;
    return async (auth) => {
      // Socket.IO's client is imported when the socket first opens, after the first page is shown:
      // it is not among the files, nor the script work, a page needs to start.
      const { Socket } = await import('ngx-socket-io');
      const socket: NotificationSocket = new Socket(
        {
          url: origin,
          options: {
            path: SOCKET_PATH,
            // WebSocket first; HTTP long-polling when a proxy on the way refuses the upgrade.
            transports: ['websocket', 'polling'],
            tryAllTransports: true,
            autoConnect: false,
            forceNew: true,
            // socket.io's own retries after a lost transport follow the app's one back-off policy.
            reconnection: true,
            reconnectionDelay: RECONNECT_BACKOFF.delay,
            reconnectionDelayMax: RECONNECT_BACKOFF.delayMax,
            randomizationFactor: RECONNECT_BACKOFF.randomization,
            timeout: 10_000,
          },
        },
        appRef,
      );
      // A function rather than an object: socket.io-client calls it on every attempt, so a
      // reconnection carries the current access token and catch-up cursor, never stale ones.
      socket.auth = (callback: (data: object) => void) => callback(auth());
      return socket;
    };
  },
});
