import { ApiProperty } from '@nestjs/swagger';
import type { AccountDto, DeliveryDto, NotificationDto, NotificationPreferenceDto, NotificationSettingsDto, UserExportDto } from '@clinic/contracts';
import { DeliveryView } from '../channels/delivery.dto';
import { NotificationView } from '../notifications/notification.dto';
import { PreferenceView, SettingsView } from '../notifications/preference.dto';
import { AccountView } from './user.dto';

export class UserExportView implements UserExportDto {
  @ApiProperty({ format: 'date-time' }) exportedAt: string;
  @ApiProperty({ type: AccountView, description: 'The account, without its password hash' }) user: AccountDto;
  @ApiProperty({ type: SettingsView }) settings: NotificationSettingsDto;
  @ApiProperty({ type: [PreferenceView], description: 'Every type, as GET /api/notifications/preferences answers the user' }) preferences: NotificationPreferenceDto[];
  @ApiProperty({ type: [NotificationView], description: 'Every notification of theirs with its receipts, oldest first' }) notifications: NotificationDto[];
  @ApiProperty({ type: [DeliveryView], description: 'The email and SMS deliveries addressed to them, oldest first' }) deliveries: DeliveryDto[];
}
