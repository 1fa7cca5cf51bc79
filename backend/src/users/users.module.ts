import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UserExportController } from './user-export.controller';
import { UserExportRepository } from './user-export.repository';
import { UserExportService } from './user-export.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  // A user's data export reads their preferences and deliveries through the features that own them.
  imports: [NotificationsModule, ChannelsModule],
  controllers: [UsersController, UserExportController],
  providers: [UsersRepository, UsersService, UserExportRepository, UserExportService],
})
export class UsersModule {}
