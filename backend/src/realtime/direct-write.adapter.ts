import type { Namespace, Server, Socket } from 'socket.io';
import { Adapter, type BroadcastOptions } from 'socket.io-adapter';
import { notifyLocalBroadcast } from './local-broadcasts';

/** A Socket.IO packet, as the server's encoder takes it. */
type Packet = Parameters<Server['encoder']['encode']>[0];

/** What a WebSocket transport exposes beyond Engine.IO's typings: the `ws` socket it writes to. */
interface WebSocketTransport {
  readonly name: string;
  readonly writable: boolean;
  readonly perMessageDeflate?: unknown;
  readonly socket?: { readonly readyState: number; send(data: Buffer, options: { binary: boolean }): void };
}

/** `ws`'s WebSocket.OPEN. */
const WEBSOCKET_OPEN = 1;
/** The Engine.IO packet type of a message, which prefixes every Socket.IO packet on the wire. */
const ENGINE_IO_MESSAGE = '4';

/**
 * The one-node (in-memory) adapter, with a shorter path for the emit this app makes most: an
 * event to one room, `user:{id}`, whose sockets are that user's devices.
 *
 * Socket.IO encodes such an emit once, then hands it to Engine.IO once per socket: a packet
 * object, a write buffer, flush and drain events and a write callback per frame. On the
 * benchmark's burst that is a large share of the server's CPU per delivery (docs/performance.md,
 * "The emit path"). When every socket of the room can take it at once (see canWriteDirectly),
 * the encoded frame is written to each one's WebSocket directly, as a bare `ws` server would.
 * Otherwise the emit takes Socket.IO's own path, as do emits to several rooms or with exceptions.
 *
 * Every broadcast also goes to the local broadcast's listener (see local-broadcasts.ts): this node's
 * plain WebSocket connections get what its sockets get, in the same order.
 *
 * Not session-aware: Socket.IO's connection state recovery would need its SessionAwareAdapter;
 * recovery is off in every mode (see SocketIoAdapter), and with Redis the cluster adapter replaces
 * this one.
 */
export class DirectWriteAdapter extends Adapter {
  /** To this node's sockets, then to the local broadcast's listener (the plain WebSocket connections), even if a socket's write threw. */
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    try {
      this.writeToSockets(packet, opts);
    } finally {
      notifyLocalBroadcast(this, packet, opts);
    }
  }

  private writeToSockets(packet: Packet, opts: BroadcastOptions): void {
    const socketIds = opts.rooms.size === 1 && !opts.except?.size ? this.rooms.get(opts.rooms.values().next().value!) : undefined;
    if (!socketIds) return super.broadcast(packet, opts);
    const namespace = this.nsp as Namespace;
    const sockets: Socket[] = [];
    for (const id of socketIds) {
      const socket = namespace.sockets.get(id);
      if (!socket) continue;
      if (!canWriteDirectly(socket)) return super.broadcast(packet, opts);
      sockets.push(socket);
    }

    packet.nsp = namespace.name;
    const encoded: unknown[] = namespace.server.encoder.encode(packet);
    // Binary attachments travel as separate frames: Socket.IO's path.
    if (encoded.length !== 1 || typeof encoded[0] !== 'string') return super.broadcast(packet, opts);
    const frame = Buffer.from(ENGINE_IO_MESSAGE + encoded[0]);
    for (const socket of sockets) (socket.conn.transport as unknown as WebSocketTransport).socket!.send(frame, { binary: false });
  }
}

/**
 * Whether a frame written to the socket's WebSocket now arrives exactly as through Engine.IO.
 * Order: Engine.IO has no packet of this socket waiting (its write buffer is empty); whatever it
 * already handed to `ws` went to the same TCP stream before this frame. The rest is Engine.IO's
 * own condition for writing at once (an open connection on a writable WebSocket transport,
 * which is also what decides whether a volatile packet is sent) and what a direct write would
 * skip: compression, and listeners on outgoing packets.
 */
function canWriteDirectly(socket: Socket): boolean {
  const connection = socket.conn;
  const transport = connection.transport as unknown as WebSocketTransport;
  const waiting = (connection as unknown as { writeBuffer?: unknown[] }).writeBuffer;
  return (
    waiting?.length === 0 &&
    connection.readyState === 'open' &&
    transport.name === 'websocket' &&
    transport.writable &&
    !transport.perMessageDeflate &&
    transport.socket?.readyState === WEBSOCKET_OPEN &&
    socket.listenersAnyOutgoing().length === 0
  );
}
