import { PlainServerMessage, ServerEvent } from '@clinic/contracts';
import type { NotificationDto } from '@clinic/contracts';
import { parseClientMessage, toPlainFrame } from './plain-messages';

const notification = { id: 'n1', seq: '7', readAt: '2026-01-01T00:00:00.000Z' } as NotificationDto;

describe('plain WebSocket messages', () => {
  it("name Socket.IO's events as the plain contract does, with its payload shapes", () => {
    expect(toPlainFrame([ServerEvent.Updated, notification])).toEqual({
      type: PlainServerMessage.NotificationUpdated,
      payload: { id: 'n1', updates: { seq: '7', readAt: '2026-01-01T00:00:00.000Z' } },
    });
    expect(toPlainFrame([ServerEvent.UnreadCount, { count: 3 }])).toEqual({ type: PlainServerMessage.UnreadCount, payload: { unread_count: 3 } });
    expect(toPlainFrame([ServerEvent.Resync])).toEqual({ type: PlainServerMessage.Resync, payload: {} });
    // The `result` of mark_read carries it instead.
    expect(toPlainFrame([ServerEvent.ReadAck, { id: 'n1', readAt: notification.readAt! }])).toBeNull();
  });

  it('read a client frame only when it is a JSON object with a string type and a sane requestId', () => {
    const text = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    expect(parseClientMessage(text({ type: 'ping', requestId: 4 }), false)).toEqual({ type: 'ping', payload: undefined, requestId: 4 });
    for (const invalid of ['not json', '[1]', 'null', { payload: {} }, { type: 1 }, { type: 'ping', requestId: '' }, { type: 'ping', requestId: {} }]) {
      expect([invalid, parseClientMessage(text(invalid), false)]).toEqual([invalid, null]);
    }
    expect(parseClientMessage(text({ type: 'ping' }), true)).toBeNull();
  });
});
