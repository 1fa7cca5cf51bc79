import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DELIVERY_CHANNELS, DELIVERY_KINDS, DELIVERY_STATUSES, DeliveryKind, DeliveryChannel, DeliveryDto, DeliveryPageDto, DeliveryStatus, UserRefDto } from '@clinic/contracts';
import { PageLimit } from '../common/pagination';

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @ApiPropertyOptional({ type: String, description: "The previous page's nextCursor" })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @PageLimit()
  limit?: number;
}

class RecipientView implements UserRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class DeliveryView implements DeliveryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: DELIVERY_KINDS, description: 'One notification, or a daily digest' }) kind: DeliveryKind;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null for a digest' }) notificationId: string | null;
  @ApiProperty({ enum: DELIVERY_CHANNELS }) channel: DeliveryChannel;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty({ type: RecipientView }) recipient: UserRefDto;
  @ApiProperty({ description: 'The e-mail address or phone number' }) address: string;
  @ApiProperty({ description: 'The mail subject, or the SMS text' }) subject: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt: string | null;
}

export class DeliveryPageView implements DeliveryPageDto {
  @ApiProperty({ type: [DeliveryView] }) items: DeliveryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
