import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches, MaxLength, registerDecorator, ValidationOptions } from 'class-validator';
import {
  IN_APP_PATH,
  MarkAllReadResult,
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  NotificationDto,
  NotificationPageDto,
  NotificationPreferenceDto,
  NotificationPriority,
  NotificationTarget,
  NotificationType,
  ROLES,
  SendNotificationRequest,
  SendNotificationResult,
  UnreadCountDto,
  UpdatePreferencesRequest,
} from '@clinic/contracts';
import { PageLimit } from '../common/pagination';
import { IsPlainText } from '../common/plain-text';
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

export class SendNotificationDto implements SendNotificationRequest {
  @ApiProperty({ example: 'Lab results are ready' })
  @IsString()
  @Length(1, 200)
  @IsPlainText()
  title: string;

  @ApiProperty({ example: 'The lab results for room 12 are in.' })
  @IsString()
  @Length(1, 2000)
  @IsPlainText({ multiline: true })
  message: string;

  @ApiPropertyOptional({ enum: NOTIFICATION_TYPES, default: 'GENERAL' })
  @IsOptional()
  @IsIn(NOTIFICATION_TYPES, { message: `type must be one of ${NOTIFICATION_TYPES.join(', ')}` })
  type?: NotificationType;

  @ApiPropertyOptional({ enum: NOTIFICATION_PRIORITIES, description: "Defaults to the type's usual priority" })
  @IsOptional()
  @IsIn(NOTIFICATION_PRIORITIES, { message: `priority must be one of ${NOTIFICATION_PRIORITIES.join(', ')}` })
  priority?: NotificationPriority;

  @ApiPropertyOptional({ example: '/orders', description: 'An in-app path' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(IN_APP_PATH, { message: 'actionUrl must be an in-app path starting with a single /' })
  @IsPlainText()
  actionUrl?: string;

  @ApiPropertyOptional({ example: 'Open orders' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @IsPlainText()
  actionText?: string;

  @ApiProperty({
    description: 'Exactly one of { userId }, { teamId } (its active members), { role } or { all: true }',
    oneOf: [
      { type: 'object', properties: { userId: { type: 'string', format: 'uuid' } }, required: ['userId'] },
      { type: 'object', properties: { teamId: { type: 'string', format: 'uuid' } }, required: ['teamId'] },
      { type: 'object', properties: { role: { type: 'string', enum: [...ROLES] } }, required: ['role'] },
      { type: 'object', properties: { all: { type: 'boolean', enum: [true] } }, required: ['all'] },
    ],
  })
  @IsNotificationTarget()
  target: NotificationTarget;
}

export class PreferenceView implements NotificationPreferenceDto {
  @ApiProperty({ enum: NOTIFICATION_TYPES })
  type: NotificationType;

  @ApiProperty()
  muted: boolean;
}

export class UpdatePreferencesDto implements UpdatePreferencesRequest {
  @ApiProperty({ type: [PreferenceView], description: 'The types to change; the others keep their setting' })
  @IsPreferenceList()
  preferences: NotificationPreferenceDto[];
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
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class NotificationPageView implements NotificationPageDto {
  @ApiProperty({ type: [NotificationView] }) items: NotificationDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next, older page' }) nextCursor: string | null;
}

export class UnreadCountView implements UnreadCountDto {
  @ApiProperty() count: number;
}

export class MarkAllReadView implements MarkAllReadResult {
  @ApiProperty() updated: number;
}

export class SendNotificationView implements SendNotificationResult {
  @ApiProperty({ description: 'Notifications created, one per recipient' }) created: number;
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isTarget(value: unknown): value is NotificationTarget {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  if (entries.length !== 1) return false;
  const [key, inner] = entries[0];
  if (key === 'userId' || key === 'teamId') return typeof inner === 'string' && UUID.test(inner);
  if (key === 'role') return (ROLES as readonly unknown[]).includes(inner);
  return key === 'all' && inner === true;
}

function IsNotificationTarget(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNotificationTarget',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `target must be exactly one of { userId: <uuid> }, { teamId: <uuid> }, { role: ${ROLES.join(' | ')} } or { all: true }`,
        ...options,
      },
      validator: { validate: isTarget },
    });
}

function isPreferenceList(value: unknown): value is NotificationPreferenceDto[] {
  if (!Array.isArray(value) || value.length > NOTIFICATION_TYPES.length) return false;
  const types = new Set<unknown>();
  for (const item of value) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
    const keys = Object.keys(item).sort().join(',');
    if (keys !== 'muted,type' || typeof item.muted !== 'boolean' || !(NOTIFICATION_TYPES as readonly unknown[]).includes(item.type)) return false;
    if (types.has(item.type)) return false;
    types.add(item.type);
  }
  return true;
}

function IsPreferenceList(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPreferenceList',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `preferences must be a list of { type, muted } with each type (${NOTIFICATION_TYPES.join(', ')}) at most once`,
        ...options,
      },
      validator: { validate: isPreferenceList },
    });
}
