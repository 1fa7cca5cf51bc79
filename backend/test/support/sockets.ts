import { io, Socket } from 'socket.io-client';
import {
  ClientEvent,
  ClientToServerEvents,
  ServerToClientEvents,
  SOCKET_PATH,
  userRoom,
} from '@clinic/contracts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

export interface ConnectOptions {
  token?: string;
  lastSeq?: string;
  /** Send the token as `?token=` instead of in `auth`. */
  tokenInQuery?: boolean;
}

const open: ClientSocket[] = [];

/** A socket of its own (no multiplexing, no automatic reconnection), as a browser tab would open. */
export function createSocket(baseUrl: string, options: ConnectOptions = {}): ClientSocket {
  const auth: Record<string, string> = {};
  if (options.token !== undefined && !options.tokenInQuery) auth.token = options.token;
  if (options.lastSeq !== undefined) auth.lastSeq = options.lastSeq;
  const socket: ClientSocket = io(baseUrl, {
    path: SOCKET_PATH,
    auth,
    query: options.tokenInQuery && options.token ? { token: options.token } : undefined,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
  });
  open.push(socket);
  return socket;
}

/** Connects, recording every server event from the first packet on; rejects with the connect_error. */
export async function connect(baseUrl: string, options: ConnectOptions = {}): Promise<RecordingSocket> {
  const recording = new RecordingSocket(createSocket(baseUrl, options));
  await recording.connect();
  return recording;
}

/** The connect_error a socket gets instead of connecting. */
export function connectError(baseUrl: string, options: ConnectOptions = {}): Promise<Error> {
  const socket = createSocket(baseUrl, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected, but a connect_error was expected')));
    socket.once('connect_error', resolve);
    socket.connect();
  });
}

export function closeAllSockets(): void {
  for (const socket of open.splice(0)) socket.disconnect();
}

/**
 * A client socket that records every event it receives, in order, so a test can wait for one
 * and inspect what came before it.
 */
export class RecordingSocket {
  readonly received: Array<{ event: EventName; payload: unknown }> = [];
  private waiters: Array<() => void> = [];

  constructor(readonly socket: ClientSocket) {
    socket.onAny((event: EventName, payload: unknown) => {
      this.received.push({ event, payload });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
      this.socket.connect();
    });
  }

  /** Payloads of every `event` received so far. */
  all<E extends EventName>(event: E): Array<Payload<E>> {
    return this.received.filter((entry) => entry.event === event).map((entry) => entry.payload as Payload<E>);
  }

  /** Resolves with the `count`-th `event` received since the socket connected (1 = the first). */
  async nth<E extends EventName>(event: E, count: number, timeoutMs = 5000): Promise<Payload<E>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.all(event);
      if (seen.length >= count) return seen[count - 1];
      const left = deadline - Date.now();
      if (left <= 0) {
        const received = this.received.map((entry) => entry.event).join(', ') || 'nothing';
        throw new Error(`timed out waiting for ${event} #${count} (received: ${received})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next `event` after the ones already received. */
  next<E extends EventName>(event: E, timeoutMs?: number): Promise<Payload<E>> {
    return this.nth(event, this.all(event).length + 1, timeoutMs);
  }

  /**
   * Waits until everything the server sent this socket before now has arrived: the answer to a
   * harmless command comes after them on the same connection. Lets a test assert that an event
   * did not come without sleeping.
   */
  async settle(userId: string): Promise<void> {
    const answer = await this.socket.timeout(5000).emitWithAck(ClientEvent.Subscribe, { channel: userRoom(userId) });
    if (!answer.ok) throw new Error(`settle failed: ${answer.error}`);
  }

  clear(): void {
    this.received.length = 0;
  }

  disconnect(): void {
    this.socket.disconnect();
  }
}
