import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { type BroadcastPacket, onLocalBroadcast } from './local-broadcasts';
import { SOCKET_SERVER_OPTIONS } from './socket-io.adapter';

/** A Socket.IO server with the app's options (so the DirectWriteAdapter) and real clients over loopback. */
describe('DirectWriteAdapter', () => {
  let httpServer: http.Server;
  let server: Server;
  let url: string;
  const clients: ClientSocket[] = [];
  /** Engine.IO message packets created per server socket since it connected: the frames that took Engine.IO's path. */
  const enginePackets = new Map<string, number>();

  beforeEach(async () => {
    httpServer = http.createServer();
    server = new Server(httpServer, { ...SOCKET_SERVER_OPTIONS });
    const joinRoomAndCount = (socket: Socket, next: () => void) => {
      void socket.join(String(socket.handshake.auth.room));
      socket.conn.on('packetCreate', (packet: { type: string }) => {
        if (packet.type === 'message') enginePackets.set(socket.id, (enginePackets.get(socket.id) ?? 0) + 1);
      });
      next();
    };
    server.use(joinRoomAndCount);
    server.of('/staff').use(joinRoomAndCount);
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await server.close();
    enginePackets.clear();
  });

  type Transports = Array<'websocket' | 'polling'>;
  async function device(room: string, transports: Transports = ['websocket'], namespace = '/'): Promise<{ client: ClientSocket; received: unknown[]; serverSocket: Socket }> {
    const client = connect(`${url}${namespace}`, { transports, forceNew: true, auth: { room } });
    clients.push(client);
    const received: unknown[] = [];
    client.on('n', (value: unknown) => received.push(value));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const serverSocket = server.of(namespace).sockets.get(client.id!)!;
    enginePackets.set(serverSocket.id, 0);
    return { client, received, serverSocket };
  }

  /** Waits until every list holds `count` items, for at most 5 s (the assertions after it then fail). */
  async function until(lists: unknown[][], count: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (lists.some((list) => list.length < count) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  const sequence = (count: number) => Array.from({ length: count }, (_, i) => i);

  it("hands every broadcast of the main namespace to the local broadcast's listener with its rooms and exceptions, also when a socket's write throws", async () => {
    const heard: Array<{ data: unknown; rooms: string[]; except: string[]; local: boolean }> = [];
    onLocalBroadcast(server, (packet: BroadcastPacket, opts) => heard.push({ data: packet.data, rooms: [...opts.rooms], except: [...(opts.except ?? [])], local: Boolean(opts.flags?.local) }));
    const { serverSocket } = await device('user:1');
    server.to('user:1').emit('n', 1);
    server.local.except('user:2').emit('n', 2);
    server.of('/staff').to('user:1').emit('n', 3);
    (serverSocket.client as unknown as { writeToEngine: () => void }).writeToEngine = () => {
      throw new Error('write failed');
    };
    (serverSocket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.push('blocked');
    expect(() => server.to('user:1').emit('n', 4)).toThrow('write failed');
    expect(heard).toEqual([
      { data: ['n', 1], rooms: ['user:1'], except: [], local: false },
      { data: ['n', 2], rooms: [], except: ['user:2'], local: true },
      { data: ['n', 4], rooms: ['user:1'], except: [], local: false },
    ]);
  });

  it("writes a user's events straight to each of their idle WebSockets, and through Engine.IO where a device uses long-polling", async () => {
    const phone = await device('user:a');
    const laptop = await device('user:a');
    const kioskPhone = await device('user:k');
    const kiosk = await device('user:k', ['polling']);
    const someoneElse = await device('user:b');

    for (const i of sequence(50)) {
      server.to('user:a').emit('n', i);
      server.to('user:k').emit('n', i);
    }
    await until([phone.received, laptop.received, kioskPhone.received, kiosk.received], 50);
    // Give a misrouted frame time to arrive before asserting that none did.
    await new Promise((resolve) => setTimeout(resolve, 100));

    for (const { received } of [phone, laptop, kioskPhone, kiosk]) expect(received).toEqual(sequence(50));
    expect(someoneElse.received).toEqual([]);
    expect(enginePackets.get(phone.serverSocket.id)).toBe(0);
    expect(enginePackets.get(laptop.serverSocket.id)).toBe(0);
    // A room that cannot take the direct path as a whole takes Socket.IO's.
    expect(enginePackets.get(kioskPhone.serverSocket.id)).toBe(50);
    expect(enginePackets.get(kiosk.serverSocket.id)).toBe(50);
  });

  it('never lets a frame overtake one that Engine.IO still holds', async () => {
    const phone = await device('user:a');
    // A room emit on an idle transport is written directly. An emit to the socket itself takes
    // Engine.IO's path and keeps the transport busy until written, so the room emits after it
    // must queue behind it; a turn of the event loop later the transport is idle again.
    let next = 0;
    for (let turn = 0; turn < 20; turn++) {
      server.to('user:a').emit('n', next++);
      for (let i = 0; i < 5; i++) {
        phone.serverSocket.emit('n', next++);
        server.to('user:a').emit('n', next++);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until([phone.received], next);

    expect(phone.received).toEqual(sequence(next));
    // All but the 20 room emits that found the transport idle went through Engine.IO.
    expect(enginePackets.get(phone.serverSocket.id)).toBe(next - 20);
  });

  it('keeps every event in order while a device upgrades from long-polling to WebSocket', async () => {
    const laptop = await device('user:a', ['polling', 'websocket']);
    let next = 0;
    // Packets emitted during the upgrade wait in Engine.IO's buffer until the WebSocket takes
    // over; one emitted from the 'upgrade' event finds that transport writable before they left.
    laptop.serverSocket.conn.on('upgrade', () => server.to('user:a').emit('n', next++));
    // Emits every millisecond or so until well after the upgrade.
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && !(laptop.client.io.engine.transport.name === 'websocket' && next > 400)) {
      server.to('user:a').emit('n', next++);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await until([laptop.received], next);

    expect(laptop.client.io.engine.transport.name).toBe('websocket');
    expect(laptop.received).toEqual(sequence(next));
    // Through Engine.IO while polling, directly once upgraded.
    expect(enginePackets.get(laptop.serverSocket.id)).toBeGreaterThan(0);
    expect(enginePackets.get(laptop.serverSocket.id)).toBeLessThan(next);
  });

  it('delivers in other namespaces and carries binary payloads', async () => {
    const staff = await device('user:a', ['websocket'], '/staff');
    const main = await device('user:a');

    server.of('/staff').to('user:a').emit('n', 'staff only');
    server.to('user:a').emit('n', Buffer.from([0, 1, 2, 255]));
    await until([staff.received, main.received], 1);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(staff.received).toEqual(['staff only']);
    expect(enginePackets.get(staff.serverSocket.id)).toBe(0);
    expect(main.received).toHaveLength(1);
    expect([...new Uint8Array(main.received[0] as ArrayBuffer)]).toEqual([0, 1, 2, 255]);
  });

  it("keeps Socket.IO's semantics for outgoing listeners, several rooms and exceptions", async () => {
    const watched = await device('user:a');
    const seen: unknown[] = [];
    watched.serverSocket.onAnyOutgoing((event: string, value: unknown) => seen.push([event, value]));
    const inTwoRooms = await device('user:b');
    await inTwoRooms.serverSocket.join('role:ADMIN');
    const excluded = await device('user:c');
    await excluded.serverSocket.join('role:ADMIN');

    server.to('user:a').emit('n', 1);
    server.to(['user:a', 'user:b', 'role:ADMIN']).except('user:c').emit('n', 2);
    await until([watched.received], 2);
    await until([inTwoRooms.received], 1);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(watched.received).toEqual([1, 2]);
    expect(seen).toEqual([
      ['n', 1],
      ['n', 2],
    ]);
    expect(inTwoRooms.received).toEqual([2]);
    expect(excluded.received).toEqual([]);
  });
});
