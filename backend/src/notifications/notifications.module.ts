import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { CatchUpService } from './catch-up.service';
import { NotificationPublisher } from './notification-publisher';
import { NotificationsController } from './notifications.controller';
import { NotificationsGateway } from './notifications.gateway';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { Receipts } from './receipts';

@Module({
  imports: [ChannelsModule],
  controllers: [NotificationsController],
  providers: [NotificationsRepository, NotificationsService, Receipts, CatchUpService, NotificationPublisher, NotificationsGateway],
  exports: [NotificationsService],
})
export class NotificationsModule {}
