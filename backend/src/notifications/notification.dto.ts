import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsISO8601, IsOptional, IsString, MaxLength, registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';
import {
  BULK_ACTIONS,
  BULK_SKIP_REASONS,
  BulkAction,
  BulkActionRequest,
  BulkActionResult,
  BulkSkipReason,
  MarkAllReadResult,
  MAX_BULK_IDS,
  MAX_SEARCH_LENGTH,
  MAX_SEEN_BATCH,
  NOTIFICATION_VIEWS,
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  NotificationDto,
  NotificationPageDto,
  NotificationPriority,
  NotificationType,
  NotificationView as NotificationListView,
  SeenRequest,
  SnoozeRequest,
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

  @ApiPropertyOptional({ enum: NOTIFICATION_VIEWS, description: 'inbox: neither archived nor snoozed; without it, every notification (all)' })
  @IsOptional()
  @IsIn(NOTIFICATION_VIEWS, { message: `view must be one of ${NOTIFICATION_VIEWS.join(', ')}` })
  view?: NotificationListView;

  @ApiPropertyOptional({ type: String, description: `Comma-separated types: ${NOTIFICATION_TYPES.join(', ')}`, example: 'ORDER_CREATED,PAYMENT_RECEIVED' })
  @IsOptional()
  @Transform(commaSeparated)
  @IsIn(NOTIFICATION_TYPES, { each: true, message: `type must list some of ${NOTIFICATION_TYPES.join(', ')}` })
  type?: NotificationType[];

  @ApiPropertyOptional({ type: String, description: `Comma-separated priorities: ${NOTIFICATION_PRIORITIES.join(', ')}`, example: 'HIGH,CRITICAL' })
  @IsOptional()
  @Transform(commaSeparated)
  @IsIn(NOTIFICATION_PRIORITIES, { each: true, message: `priority must list some of ${NOTIFICATION_PRIORITIES.join(', ')}` })
  priority?: NotificationPriority[];

  @ApiPropertyOptional({ description: 'Words to find in the title or message, case-insensitive', maxLength: MAX_SEARCH_LENGTH })
  @IsOptional()
  @IsString({ message: 'q must be text' })
  @MaxLength(MAX_SEARCH_LENGTH, { message: `q must be at most ${MAX_SEARCH_LENGTH} characters` })
  q?: string;
}

export class SnoozeDto implements SnoozeRequest {
  @ApiProperty({ format: 'date-time', description: 'After now, at most 30 days ahead' })
  @IsISO8601({ strict: true }, { message: 'until must be an ISO date and time' })
  until: string;
}

export class BulkActionDto implements BulkActionRequest {
  @ApiProperty({ enum: BULK_ACTIONS })
  @IsIn(BULK_ACTIONS, { message: `action must be one of ${BULK_ACTIONS.join(', ')}` })
  action: BulkAction;

  @ApiProperty({ type: [String], description: `1 to ${MAX_BULK_IDS} ids of own notifications` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_IDS)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  ids: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'For snooze (required then): after now, at most 30 days ahead' })
  @ValidateIf((request: BulkActionDto) => request.action === 'snooze' || request.until !== undefined)
  @IsISO8601({ strict: true }, { message: 'until must be an ISO date and time (snooze needs one)' })
  until?: string;
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
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Archived: out of the inbox' }) archivedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Out of the inbox until then; back in it once past' }) snoozedUntil: string | null;
  @ApiProperty({ type: 'integer', description: 'Counts every change of its state: of two copies, the higher version is newer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

class BulkSkipView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: BULK_SKIP_REASONS }) reason: BulkSkipReason;
}

export class BulkActionView implements BulkActionResult {
  @ApiProperty({ type: () => [NotificationView], description: 'As they are now (none for delete)' }) updated: NotificationDto[];
  @ApiProperty({ type: [String], description: 'For delete: the ids deleted' }) deleted: string[];
  @ApiProperty({ type: [BulkSkipView], description: 'Not own (or no such id), or an alert awaiting acknowledgement' }) skipped: BulkSkipView[];
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

/** `a,b` (or the parameter repeated) as a list; anything else is left for the validator to refuse. */
function commaSeparated({ value }: { value: unknown }): unknown {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((part) => (typeof part === 'string' ? part.split(',') : [part]));
  return parts.map((part) => (typeof part === 'string' ? part.trim() : part)).filter((part) => part !== '');
}

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
