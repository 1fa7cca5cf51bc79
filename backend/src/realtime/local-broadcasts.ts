import { Logger } from '@nestjs/common';
import type { Namespace, Server } from 'socket.io';
import { type Adapter, type BroadcastOptions, type ClusterAdapter, type ClusterMessage, MessageType } from 'socket.io-adapter';

/** A Socket.IO packet, as the adapter broadcasts it (`data` is `[event, ...payload]` for an event). */
export type BroadcastPacket = { type: number; data?: unknown; nsp?: string; id?: number };

/**
 * Called once for every broadcast this node writes to its own sockets of the main namespace:
 * an emit made here (also while Redis is unreachable) and one read from the adapter's Redis
 * stream (another node's). Its rooms and exceptions are the broadcast's own.
 */
export type LocalBroadcastListener = (packet: BroadcastPacket, opts: BroadcastOptions) => void;

const listeners = new WeakMap<Server, LocalBroadcastListener>();
const logger = new Logger('LocalBroadcasts');

/**
 * Registers the listener of this server's local broadcasts (one per server: NotificationPublisher,
 * which hands them to the plain WebSocket connections).
 */
export function onLocalBroadcast(server: Server, listener: LocalBroadcastListener): void {
  listeners.set(server, listener);
}

/** Hands a broadcast this adapter has written (or is writing) to this node's sockets to the listener. Never throws. */
export function notifyLocalBroadcast(adapter: Adapter, packet: BroadcastPacket, opts: BroadcastOptions): void {
  const namespace = adapter.nsp as Namespace;
  if (namespace.name !== '/') return;
  const listener = listeners.get(namespace.server);
  if (!listener) return;
  try {
    listener(packet, opts);
  } catch (error) {
    logger.error(`a local broadcast's listener failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

type AdapterFactory = (nsp: Namespace) => Adapter;
/** What ClusterAdapter has beyond its typings: `uid` and `onMessage` are protected there. */
type OpenClusterAdapter = Omit<ClusterAdapter, 'uid'> & { readonly uid: string; onMessage(message: ClusterMessage, offset?: string): void };

/**
 * A cluster adapter (the Redis Streams one) whose local broadcasts also reach the listener. It
 * writes to this node's sockets in two places, both through the in-memory Adapter's broadcast
 * (which an override of `broadcast` on the instance would not see for the second):
 * - `broadcast`, for an emit made here: it appends to the stream (unless `flags.local`), then
 *   writes to this node's sockets, whether or not the append succeeded;
 * - `onMessage`, for a broadcast read from the stream (another node's; its own are skipped).
 * So the listener gets exactly what this node's sockets get, in the same order, once: one
 * stream message per emit, read from a resumable offset, and the same outage handling.
 */
export function withLocalBroadcasts(factory: AdapterFactory): AdapterFactory {
  // Socket.IO calls it with `new`: a function, not an arrow, whose returned object is the adapter.
  return function localBroadcastingAdapter(nsp: Namespace) {
    const adapter = factory(nsp) as unknown as OpenClusterAdapter;
    const broadcast = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet: BroadcastPacket, opts: BroadcastOptions) =>
      // After this node's sockets have had it (even if writing to one of them threw).
      Promise.resolve(broadcast(packet, opts)).finally(() => notifyLocalBroadcast(adapter as unknown as Adapter, packet, opts));
    const onMessage = adapter.onMessage.bind(adapter);
    adapter.onMessage = (message: ClusterMessage, offset?: string) => {
      try {
        onMessage(message, offset);
      } finally {
        // ClusterAdapter's own conditions for writing a broadcast to this node's sockets;
        // one with an acknowledgement (none of ours) stays Socket.IO's.
        if (message.type === MessageType.BROADCAST && message.uid !== adapter.uid && message.nsp === nsp.name && message.data.requestId === undefined) {
          const { packet, opts } = message.data as { packet: BroadcastPacket; opts: { rooms: string[]; except: string[]; flags?: BroadcastOptions['flags'] } };
          notifyLocalBroadcast(adapter as unknown as Adapter, packet, { rooms: new Set(opts.rooms), except: new Set(opts.except), flags: opts.flags });
        }
      }
    };
    return adapter as unknown as Adapter;
  };
}
