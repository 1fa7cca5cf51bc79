import { Injectable, Logger } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import {
  ClientToServerEvents,
  NewNotificationPayload,
  NotificationDto,
  ServerEvent,
  ServerToClientEvents,
  userRoom,
} from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { MetricsService } from '../metrics/metrics.service';

export interface SocketData {
  user: AuthUser;
}
export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RoomEmit = <E extends keyof ServerToClientEvents>(event: E, ...payload: Parameters<ServerToClientEvents[E]>) => void;

/**
 * Pushes a user's changes to every device of that user, on every node: each emit goes to the
 * room `user:{id}`, so its payload is built once however many sockets the user has. Emitting
 * never throws: the change it reports has already been committed.
 */
@Injectable()
export class NotificationPublisher {
  private readonly logger = new Logger(NotificationPublisher.name);
  private server: AppServer | null = null;

  constructor(private readonly metrics: MetricsService) {}

  /** Called by the gateway once the Socket.IO server exists. */
  attach(server: AppServer): void {
    this.server = server;
  }

  created(userId: string, notifications: NewNotificationPayload[], unreadCount: number): void {
    this.emit(userId, (emit) => {
      const now = Date.now();
      for (const notification of notifications) {
        emit(ServerEvent.New, notification);
        this.metrics.deliveryLatency.observe((now - Date.parse(notification.createdAt)) / 1000);
      }
      emit(ServerEvent.UnreadCount, { count: unreadCount });
    });
  }

  updated(userId: string, notification: NotificationDto, unreadCount: number): void {
    this.emit(userId, (emit) => {
      emit(ServerEvent.Updated, notification);
      emit(ServerEvent.UnreadCount, { count: unreadCount });
    });
  }

  deleted(userId: string, id: string, unreadCount: number): void {
    this.emit(userId, (emit) => {
      emit(ServerEvent.Deleted, { id });
      emit(ServerEvent.UnreadCount, { count: unreadCount });
    });
  }

  /** Many notifications changed at once: devices refetch rather than receive each one. */
  refreshed(userId: string, unreadCount: number): void {
    this.emit(userId, (emit) => {
      emit(ServerEvent.Refresh);
      emit(ServerEvent.UnreadCount, { count: unreadCount });
    });
  }

  private emit(userId: string, send: (emit: RoomEmit) => void): void {
    const server = this.server;
    if (!server) return;
    try {
      const room = server.to(userRoom(userId));
      send((event, ...payload) => {
        room.emit(event, ...payload);
        this.metrics.eventsEmitted.inc({ event });
      });
    } catch (error) {
      this.logger.error(`could not emit to ${userRoom(userId)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
