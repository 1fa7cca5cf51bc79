import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, MaxLength, registerDecorator, ValidationOptions } from 'class-validator';
import {
  MarkAllReadResult,
  MAX_SEEN_BATCH,
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  NotificationDto,
  NotificationPageDto,
  NotificationPriority,
  NotificationType,
  SeenRequest,
  SeenResult,
  UnreadCountDto,
} from '@clinic/contracts';
import { PageLimit } from '../common/pagination';
import { parseSeq } from './seq';

// ---- requests ----------------------------------------------------------------------------

export class ListNotificationsQuery {
  @ApiPropertyOptional({ type: String, description: "The previous page's nextCursor", example: '1042' })
  @IsOptional()
  @Transform(({ value }) => parseSeq(value) ?? value)
  @IsBigIntCursor()
  cursor?: bigint;

  @PageLimit()
  limit?: number;

  @ApiPropertyOptional({ description: 'Only unread notifications', type: Boolean })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}

export class SeenDto implements SeenRequest {
  @ApiProperty({ type: [String], description: `1 to ${MAX_SEEN_BATCH} ids of own notifications; others are ignored` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SEEN_BATCH)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  ids: string[];
}

// ---- responses (for the OpenAPI document) ------------------------------------------------

export class NotificationView implements NotificationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Catch-up cursor: a bigint as a decimal string', example: '1042' }) seq: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ enum: NOTIFICATION_TYPES }) type: NotificationType;
  @ApiProperty() title: string;
  @ApiProperty() message: string;
  @ApiProperty({ enum: NOTIFICATION_PRIORITIES }) priority: NotificationPriority;
  @ApiProperty({ type: String, nullable: true }) actionUrl: string | null;
  @ApiProperty({ type: String, nullable: true }) actionText: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true, description: 'The send that created it (GET /api/sends/{sendId})' }) sendId: string | null;
  @ApiProperty({ description: 'Must be acknowledged (always for CRITICAL)' }) requireAck: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'A device confirmed it arrived' }) deliveredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The app showed it on screen' }) seenAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class NotificationPageView implements NotificationPageDto {
  @ApiProperty({ type: [NotificationView] }) items: NotificationDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next, older page' }) nextCursor: string | null;
}

export class UnreadCountView implements UnreadCountDto {
  @ApiProperty({ type: 'integer' }) count: number;
}

export class MarkAllReadView implements MarkAllReadResult {
  @ApiProperty({ type: 'integer' }) updated: number;
}

export class SeenView implements SeenResult {
  @ApiProperty({ type: 'integer', description: 'How many were not marked seen before' }) updated: number;
}

// ---- validators --------------------------------------------------------------------------

function IsBigIntCursor(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBigIntCursor',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'cursor must be the nextCursor of a previous page', ...options },
      validator: { validate: (value: unknown) => typeof value === 'bigint' },
    });
}
