import type { RawData } from 'ws';
import { PlainServerFrame, PlainServerMessage, ServerEvent } from '@clinic/contracts';
import type { RealtimeEvent } from '../notifications/notification-publisher';

/** A client message as it arrived: its type, payload and requestId, not yet checked further. */
export interface ReceivedPlainMessage {
  type: string;
  payload: unknown;
  requestId: string | number | undefined;
}

/**
 * The plain WebSocket message for one of the publisher's (Socket.IO) events. `read-ack` has none:
 * the `result` of `mark_read` carries the notification and its `readAt`.
 */
export function toPlainFrame(realtimeEvent: RealtimeEvent): PlainServerFrame | null {
  switch (realtimeEvent[0]) {
    case ServerEvent.New:
      return { type: PlainServerMessage.NotificationCreated, payload: realtimeEvent[1] };
    case ServerEvent.Updated: {
      const { id, ...updates } = realtimeEvent[1];
      return { type: PlainServerMessage.NotificationUpdated, payload: { id, updates } };
    }
    case ServerEvent.Deleted:
      return { type: PlainServerMessage.NotificationDeleted, payload: realtimeEvent[1] };
    case ServerEvent.Reminder:
      return { type: PlainServerMessage.Reminder, payload: realtimeEvent[1] };
    case ServerEvent.UnreadCount:
      return { type: PlainServerMessage.UnreadCount, payload: { unread_count: realtimeEvent[1].count } };
    case ServerEvent.Refresh:
      return { type: PlainServerMessage.Refresh, payload: {} };
    case ServerEvent.Resync:
      return { type: PlainServerMessage.Resync, payload: {} };
    case ServerEvent.SendUpdated:
      return { type: PlainServerMessage.SendUpdated, payload: realtimeEvent[1] };
    case ServerEvent.SessionEnd:
      return { type: PlainServerMessage.SessionEnd, payload: realtimeEvent[1] };
    case ServerEvent.ReadAck:
      return null;
    default:
      // An event the plain contract does not name (none is emitted to its rooms today).
      return null;
  }
}

/**
 * A client frame read as `{ type, payload?, requestId? }`, or null when it is not one: binary,
 * not JSON, no string `type`, or a `requestId` that is neither a string of 1–200 characters nor
 * a finite number.
 */
export function parseClientMessage(data: RawData, isBinary: boolean): ReceivedPlainMessage | null {
  if (isBinary) return null;
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const { type, payload, requestId } = message as Record<string, unknown>;
  const validRequestId =
    requestId === undefined ||
    (typeof requestId === 'string' && requestId.length > 0 && requestId.length <= 200) ||
    (typeof requestId === 'number' && Number.isFinite(requestId));
  if (typeof type !== 'string' || !validRequestId) return null;
  return { type, payload, requestId: requestId as string | number | undefined };
}
