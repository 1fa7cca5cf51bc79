import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { PlainWebSocketGateway } from './plain-websocket.gateway';

/** The plain WebSocket endpoint, `/ws/notifications/` (docs/websocket-contract.md, "Plain WebSocket"). */
@Module({
  imports: [NotificationsModule],
  providers: [PlainWebSocketGateway],
  exports: [PlainWebSocketGateway],
})
export class PlainWebSocketModule {}
