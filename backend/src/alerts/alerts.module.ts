import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { EscalationService } from './escalation.service';
import { SendNotificationController, SendsController } from './sends.controller';
import { SendsRepository } from './sends.repository';
import { SendsService } from './sends.service';

/**
 * Alerts that cannot be missed: sends (now or scheduled), their escalation when nobody
 * acknowledges, and what admins and senders read about them. Acknowledgements and receipts are
 * written with the notifications (NotificationsModule).
 */
@Module({
  imports: [NotificationsModule],
  controllers: [SendNotificationController, SendsController],
  providers: [SendsRepository, SendsService, EscalationService],
})
export class AlertsModule {}
