import { Inject, Injectable } from '@nestjs/common';
import type { Event, Socket } from 'socket.io';
import { ClientEvent, ServerEvent, SocketError } from '@clinic/contracts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { SocketRateLimiter } from './socket-rate-limiter';

const CLIENT_EVENTS: ReadonlySet<string> = new Set(Object.values(ClientEvent));

/**
 * What one user may cost this node through sockets: at most `maxSocketsPerUser` open sockets
 * (tabs and devices), and per socket an event budget. Per node: behind a load balancer a user's
 * sockets spread over the nodes, and each node protects itself.
 */
@Injectable()
export class SocketLimits {
  /** Socket ids holding a slot, per user. */
  private readonly slots = new Map<string, Set<string>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Handshake: takes one of the user's slots, or returns false when all are taken. A slot is a
   * socket id, taken here and not on `connection`, so that two handshakes of one user in the same
   * tick cannot both pass the check.
   */
  admit(socket: Socket, userId: string): boolean {
    const taken = this.slots.get(userId) ?? new Set<string>();
    if (taken.size >= this.config.maxSocketsPerUser) return false;
    taken.add(socket.id);
    this.slots.set(userId, taken);
    // A socket admitted but never connected (its client left mid-handshake) gets no disconnect
    // event: give its slot back once Socket.IO has had its turn to connect it (in a nextTick).
    setImmediate(() => {
      if (!socket.connected) this.release(socket, userId);
    });
    return true;
  }

  /** The socket is gone; releasing twice is harmless. */
  release(socket: Socket, userId: string): void {
    const taken = this.slots.get(userId);
    if (!taken?.delete(socket.id) || taken.size > 0) return;
    this.slots.delete(userId);
  }

  /**
   * Socket middleware for client events: over its budget an event is answered `rate-limited`,
   * an event the server does not know `invalid-payload`; a socket that keeps flooding is told
   * why (`session:end`) and disconnected. Every refused event with an acknowledgement gets one.
   */
  guardEvents(socket: Socket): (packet: Event, next: (error?: Error) => void) => void {
    const limiter = new SocketRateLimiter(this.config.socketEventBurst, this.config.socketEventsPerSecond);
    return (packet, next) => {
      const verdict = limiter.take();
      if (verdict === 'disconnect') {
        socket.emit(ServerEvent.SessionEnd, { reason: SocketError.RateLimited });
        socket.disconnect(true);
        return;
      }
      const error = verdict === 'refuse' ? SocketError.RateLimited : CLIENT_EVENTS.has(packet[0]) ? null : SocketError.InvalidPayload;
      if (!error) return next();
      const ack: unknown = packet[packet.length - 1];
      if (typeof ack === 'function') ack({ ok: false, error });
    };
  }
}
