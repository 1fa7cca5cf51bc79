import type { Namespace, Server, Socket } from 'socket.io';
import { Adapter, type BroadcastOptions } from 'socket.io-adapter';

/** What a WebSocket transport exposes beyond Engine.IO's typings: the `ws` socket it writes to. */
interface WebSocketTransport {
  readonly name: string;
  readonly writable: boolean;
  readonly perMessageDeflate?: unknown;
  readonly socket?: { readonly readyState: number; send(data: Buffer, options: { binary: boolean }): void };
}

/** A Socket.IO packet, as the server's encoder takes it. */
type Packet = Parameters<Server['encoder']['encode']>[0];

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
 * benchmark's burst that is a third of the server's CPU per delivery. Here, when a socket's
 * WebSocket has nothing waiting (Engine.IO's own condition for writing at once), the encoded
 * frame is written to it directly, as a bare `ws` server would. Every other case takes Engine.IO's
 * path: a busy or queued transport (so a frame never overtakes an earlier one), HTTP
 * long-polling, compression, listeners on outgoing packets, several rooms or exceptions.
 *
 * Only for the in-memory adapter: with Redis, deliveries go through the cluster adapter's path.
 */
export class DirectWriteAdapter extends Adapter {
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    const socketIds = opts.rooms.size === 1 && !opts.except?.size ? this.rooms.get(opts.rooms.values().next().value!) : undefined;
    if (!socketIds) return super.broadcast(packet, opts);
    const namespace = this.nsp as Namespace;
    packet.nsp = namespace.name;
    const encoded: unknown[] = namespace.server.encoder.encode(packet);
    // Binary attachments travel as separate frames: Engine.IO's path.
    if (encoded.length !== 1 || typeof encoded[0] !== 'string') return super.broadcast(packet, opts);
    const frame = Buffer.from(ENGINE_IO_MESSAGE + encoded[0]);

    let waiting: Set<string> | undefined;
    for (const id of socketIds) {
      const socket = namespace.sockets.get(id);
      if (socket && !writeWhenIdle(socket, frame)) (waiting ??= new Set()).add(id);
    }
    // Every socket is also in the room named by its id.
    if (waiting) super.broadcast(packet, { ...opts, rooms: waiting });
  }
}

/** Writes the frame now if the socket's WebSocket is open with nothing queued before it. */
function writeWhenIdle(socket: Socket, frame: Buffer): boolean {
  const connection = socket.conn;
  const transport = connection.transport as unknown as WebSocketTransport;
  const queued = (connection as unknown as { writeBuffer?: unknown[] }).writeBuffer;
  const idle =
    connection.readyState === 'open' &&
    !connection.upgrading &&
    queued?.length === 0 &&
    transport.name === 'websocket' &&
    transport.writable &&
    !transport.perMessageDeflate &&
    transport.socket?.readyState === WEBSOCKET_OPEN &&
    socket.listenersAnyOutgoing().length === 0;
  if (idle) transport.socket!.send(frame, { binary: false });
  return idle;
}
