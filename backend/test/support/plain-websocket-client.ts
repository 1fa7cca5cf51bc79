import WebSocket from 'ws';
import { PLAIN_WEBSOCKET_BEARER_PROTOCOL, PLAIN_WEBSOCKET_PATH, PlainClientFrame, PlainServerFrame, PlainServerPayloads } from '@clinic/contracts';

type MessageType = keyof PlainServerPayloads;

export interface PlainConnectOptions {
  token?: string;
  lastSeq?: string;
  /** Send the token as `Sec-WebSocket-Protocol: bearer, <token>` instead of `?token=`. */
  tokenInProtocol?: boolean;
  headers?: Record<string, string>;
}

const open: PlainWebSocketClient[] = [];

/**
 * A plain WebSocket client (the `ws` package, as a non-Socket.IO integration would use it) that
 * records every message, in order, and how the server closed it.
 */
export class PlainWebSocketClient {
  readonly received: PlainServerFrame[] = [];
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(baseUrl: string, options: PlainConnectOptions = {}) {
    const protocols = options.tokenInProtocol ? [PLAIN_WEBSOCKET_BEARER_PROTOCOL, options.token!] : [];
    const socket = new WebSocket(plainWebSocketUrl(baseUrl, options), protocols, { headers: options.headers });
    this.socket = socket;
    open.push(this);
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as PlainServerFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      socket.once('error', reject);
    });
    // A test that only awaits `closed` must not see a refused upgrade as an unhandled rejection.
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Payloads of every message of this type received so far. */
  all<T extends MessageType>(type: T): Array<PlainServerPayloads[T]> {
    return this.received.filter((frame) => frame.type === type).map((frame) => frame.payload as PlainServerPayloads[T]);
  }

  /** The `count`-th message of this type (1 = the first). */
  async nth<T extends MessageType>(type: T, count: number, timeoutMs = 5000): Promise<PlainServerPayloads[T]> {
    const frame = await this.frame((candidate) => candidate.type === type, count, timeoutMs);
    return frame.payload as PlainServerPayloads[T];
  }

  /** The answer (`result` or `pong`) carrying this requestId. */
  answerTo(requestId: string | number, timeoutMs = 5000): Promise<PlainServerFrame> {
    return this.frame((candidate) => candidate.requestId === requestId, 1, timeoutMs);
  }

  send(frame: PlainClientFrame | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends a message and waits for its answer. */
  async request(frame: PlainClientFrame & { requestId: string }): Promise<PlainServerFrame> {
    this.send(frame);
    return this.answerTo(frame.requestId);
  }

  close(): void {
    this.socket.terminate();
  }

  private async frame(matches: (frame: PlainServerFrame) => boolean, count: number, timeoutMs: number): Promise<PlainServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter(matches);
      if (found.length >= count) return found[count - 1];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out (received: ${this.received.map((frame) => frame.type).join(', ') || 'nothing'})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export function plainWebSocketUrl(baseUrl: string, options: Pick<PlainConnectOptions, 'token' | 'lastSeq' | 'tokenInProtocol'> = {}): string {
  const url = new URL(PLAIN_WEBSOCKET_PATH, baseUrl.replace(/^http/, 'ws'));
  if (options.token !== undefined && !options.tokenInProtocol) url.searchParams.set('token', options.token);
  if (options.lastSeq !== undefined) url.searchParams.set('lastSeq', options.lastSeq);
  return url.href;
}

/** Opens a connection; resolves once the server has accepted the upgrade. */
export async function connectPlain(baseUrl: string, options: PlainConnectOptions = {}): Promise<PlainWebSocketClient> {
  const client = new PlainWebSocketClient(baseUrl, options);
  await client.opened;
  return client;
}

export function closeAllPlainWebSockets(): void {
  for (const client of open.splice(0)) client.close();
}
