import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { CatchUpService } from './catch-up.service';
import { NotificationCommands } from './notification-commands';
import { NotificationPublisher } from './notification-publisher';
import { NotificationsController } from './notifications.controller';
import { NotificationsGateway } from './notifications.gateway';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { PreferencesController } from './preferences.controller';
import { PreferencesRepository } from './preferences.repository';
import { PreferencesService } from './preferences.service';
import { Receipts } from './receipts';
import { TriageRepository } from './triage.repository';
import { TriageService } from './triage.service';

@Module({
  imports: [ChannelsModule],
  controllers: [NotificationsController, PreferencesController],
  providers: [NotificationsRepository, NotificationsService, PreferencesRepository, PreferencesService, Receipts, TriageRepository, TriageService, CatchUpService, NotificationPublisher, NotificationCommands, NotificationsGateway],
  // The publisher, catch-up and commands serve the plain WebSocket gateway (ws/) too; the
  // preferences a user's data export (users/).
  exports: [NotificationsService, NotificationPublisher, CatchUpService, NotificationCommands, PreferencesService],
})
export class NotificationsModule {}
