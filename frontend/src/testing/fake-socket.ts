import type { Provider } from '@angular/core';
import type { NotificationDto, SocketAuth } from '@clinic/contracts';

import { NOTIFICATION_SOCKET_FACTORY, NotificationSocket } from '../app/notifications';

type Listener = (...args: never[]) => void;

/**
 * Stands in for the ngx-socket-io socket: records what the client sends and lets a test play the
 * server (connect, drop, refuse, push events).
 */
export class FakeSocket {
  connected = false;
  active = false;
  connectCalls = 0;
  /** What the server answers to each client command, by event name. */
  readonly acks = new Map<string, unknown>();
  /** Commands sent with `emitWithAck`. */
  readonly sent: { event: string; args: unknown[] }[] = [];
  /** Fire-and-forget events sent with `emit` (receipts). */
  readonly emitted: { event: string; args: unknown[] }[] = [];
  private readonly listeners = new Map<string, Listener[]>();

  constructor(private readonly authProvider: () => SocketAuth) {}

  /** What the next handshake would carry. */
  handshake(): SocketAuth {
    return this.authProvider();
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  connect(): this {
    this.connectCalls++;
    this.active = true;
    return this;
  }

  disconnect(): this {
    this.active = false;
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }

  timeout(): this {
    return this;
  }

  /** Fire and forget: recorded, and the acknowledgement callback (if any) is never answered. */
  emit(event: string, ...args: unknown[]): this {
    this.emitted.push({ event, args: args.filter((arg) => typeof arg !== 'function') });
    return this;
  }

  emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
    this.sent.push({ event, args });
    return this.acks.has(event) ? Promise.resolve(this.acks.get(event)) : Promise.reject(new Error('operation has timed out'));
  }

  // ---- the server's side ----

  acceptConnection(): void {
    this.connected = true;
    this.active = true;
    this.fire('connect');
  }

  /** The connection is lost (server gone, network down); socket.io keeps retrying. */
  drop(reason = 'transport close'): void {
    this.connected = false;
    this.fire('disconnect', reason);
  }

  /** The server refuses the handshake; after that socket.io does not retry by itself. */
  refuse(message: string): void {
    this.active = false;
    this.fire('connect_error', new Error(message));
  }

  /** The server ends the socket itself (socket.io does not retry that either). */
  kick(): void {
    this.connected = false;
    this.active = false;
    this.fire('disconnect', 'io server disconnect');
  }

  push(event: string, payload?: unknown): void {
    this.fire(event, ...(payload === undefined ? [] : [payload]));
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }
}

/** Provides a socket factory that hands out FakeSockets; the returned list fills as they are created. */
export function provideFakeSockets(): { sockets: FakeSocket[]; provider: Provider } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    provider: {
      provide: NOTIFICATION_SOCKET_FACTORY,
      useValue: (auth: () => SocketAuth) => {
        const socket = new FakeSocket(auth);
        sockets.push(socket);
        // Settled at once, not a microtask later as the real factory's import is: a test has the
        // socket the moment it answers the first page.
        const built: PromiseLike<NotificationSocket> = {
          then: (onBuilt) => onBuilt?.(socket as unknown as NotificationSocket) as never,
        };
        return built;
      },
    },
  };
}

let counter = 0;

/** A notification as the server sends it; `seq` grows with each one made. */
export function notification(overrides: Partial<NotificationDto> = {}): NotificationDto {
  counter++;
  return {
    id: `n-${counter}`,
    seq: String(1000 + counter),
    userId: 'u-nurse',
    type: 'GENERAL',
    title: `Notification ${counter}`,
    message: `Message ${counter}`,
    priority: 'NORMAL',
    actionUrl: null,
    actionText: null,
    metadata: {},
    sendId: null,
    requireAck: false,
    deliveredAt: null,
    seenAt: null,
    readAt: null,
    acknowledgedAt: null,
    archivedAt: null,
    snoozedUntil: null,
    version: 0,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, counter)).toISOString(),
    ...overrides,
  };
}
