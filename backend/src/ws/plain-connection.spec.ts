import WebSocket from 'ws';
import { ServerEvent } from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { SocketRateLimiter } from '../realtime/socket-rate-limiter';
import { PlainConnectionRegistry, PlainWebSocketConnection } from './plain-connection';

/** A `ws` socket as the connection uses it, recording what was sent. */
function fakeSocket(bufferedAmount = 0) {
  return {
    readyState: WebSocket.OPEN,
    bufferedAmount,
    sent: [] as string[],
    terminated: false,
    send(frame: string) {
      this.sent.push(frame);
    },
    terminate() {
      this.terminated = true;
    },
  };
}

const user = (id: string, role: AuthUser['role'] = 'STAFF'): AuthUser => ({ id, role, sessionId: `s-${id}`, teamIds: [], exp: 0 }) as unknown as AuthUser;

function connection(id: string, socket: ReturnType<typeof fakeSocket>, owner: AuthUser, onSlowReader?: (connection: PlainWebSocketConnection) => void) {
  return new PlainWebSocketConnection(id, socket as unknown as WebSocket, owner, new SocketRateLimiter(30, 10), onSlowReader);
}

describe('plain WebSocket connections', () => {
  it('a client with over 1 MB waiting is reported as a slow reader and cut, nothing more is queued for it', () => {
    const slow = fakeSocket(2 * 1024 * 1024);
    const reported: string[] = [];
    connection('ws:1', slow, user('u1'), (cut) => reported.push(cut.id)).write('{}');
    expect(reported).toEqual(['ws:1']);
    expect(slow.terminated).toBe(true);
    expect(slow.sent).toEqual([]);
  });

  it("deliver reaches each client in the rooms once, skips those in an excepted room, and other users' clients", () => {
    const registry = new PlainConnectionRegistry();
    const [mine, admins, other] = [fakeSocket(), fakeSocket(), fakeSocket()];
    registry.add(connection('ws:1', mine, user('u1')));
    registry.add(connection('ws:2', admins, user('u2', 'ADMIN')));
    registry.add(connection('ws:3', other, user('u3')));

    registry.deliver(['user:u1', 'role:ADMIN', 'user:u2'], [[ServerEvent.UnreadCount, { count: 1 }]]);
    registry.deliver(null, [[ServerEvent.Resync]], new Set(['user:u3']));

    expect(mine.sent.map((frame) => JSON.parse(frame).type)).toEqual(['unread_count', 'resync']);
    expect(admins.sent.map((frame) => JSON.parse(frame).type)).toEqual(['unread_count', 'resync']);
    expect(other.sent).toEqual([]);
  });
});

describe('the connect catch-up of a plain WebSocket connection', () => {
  it('holds live frames until the catch-up is sent, then sends them in order without the notifications it replayed', () => {
    const registry = new PlainConnectionRegistry();
    const socket = fakeSocket();
    const client = connection('ws:1', socket, user('u1'));
    client.holdLive();
    registry.add(client);
    const created = (seq: string) => [ServerEvent.New, { id: `n${seq}`, seq }] as never;

    registry.deliver(['user:u1'], [created('5'), [ServerEvent.UnreadCount, { count: 5 }]]);
    client.send([created('4'), created('5'), [ServerEvent.UnreadCount, { count: 5 }]]);
    registry.deliver(['user:u1'], [created('6')]);
    client.releaseLive();
    registry.deliver(['user:u1'], [created('7')]);

    expect(socket.sent.map((frame) => JSON.parse(frame)).map((frame) => frame.payload.seq ?? `count ${frame.payload.unread_count}`)).toEqual(['4', '5', 'count 5', 'count 5', '6', '7']);
  });
});
