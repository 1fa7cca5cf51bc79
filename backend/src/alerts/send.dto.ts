import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Length, Matches, MaxLength, registerDecorator, ValidationOptions } from 'class-validator';
import {
  AlertSettingsDto,
  EscalationRequest,
  EscalationStepDto,
  EscalationTarget,
  IN_APP_PATH,
  MAX_ESCALATION_SECONDS,
  MAX_LISTED_RECIPIENTS,
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  NotificationPriority,
  NotificationTarget,
  NotificationType,
  ROLES,
  SENDABLE_TYPES,
  SEND_STATUSES,
  SendCounts,
  SendDetailDto,
  SendEscalationDto,
  SendNotificationRequest,
  SendNotificationResult,
  SendPageDto,
  SendRecipientDto,
  SendStatus,
  SendSummaryDto,
  SendTargetDto,
} from '@clinic/contracts';
import { PageLimit } from '../common/pagination';
import { IsPlainText } from '../common/plain-text';

type SendableType = (typeof SENDABLE_TYPES)[number];

const UUID_SCHEMA = { type: 'string', format: 'uuid' } as const;

export class EscalationView implements EscalationRequest {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_ESCALATION_SECONDS, description: "At least the server's ESCALATION_MIN_SECONDS (30 by default)" })
  afterSeconds: number;

  @ApiProperty({
    description: 'Exactly one of { userId }, { teamId } (its active members) or { role }',
    oneOf: [
      { type: 'object', properties: { userId: UUID_SCHEMA }, required: ['userId'] },
      { type: 'object', properties: { teamId: UUID_SCHEMA }, required: ['teamId'] },
      { type: 'object', properties: { role: { type: 'string', enum: [...ROLES] } }, required: ['role'] },
    ],
  })
  to: EscalationTarget;
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

  @ApiPropertyOptional({ enum: SENDABLE_TYPES, default: 'GENERAL' })
  @IsOptional()
  @IsIn(SENDABLE_TYPES, { message: `type must be one of ${SENDABLE_TYPES.join(', ')}` })
  type?: SendableType;

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

  @ApiPropertyOptional({ description: 'Recipients must acknowledge it; always true for CRITICAL' })
  @IsOptional()
  @IsBoolean({ message: 'requireAck must be true or false' })
  requireAck?: boolean;

  @ApiPropertyOptional({
    type: EscalationView,
    description: 'If nobody acknowledged after afterSeconds, `to` gets a CRITICAL ESCALATION notification (again after each further afterSeconds)',
  })
  @IsOptional()
  @IsEscalation()
  escalation?: EscalationRequest;

  @ApiPropertyOptional({ format: 'date-time', description: 'Send later: in the future, at most 30 days ahead' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'sendAt must be an ISO 8601 date and time' })
  sendAt?: string;
}

export class SendNotificationView implements SendNotificationResult {
  @ApiProperty({ format: 'uuid' }) sendId: string;
  @ApiProperty({ type: 'integer', description: 'Notifications created, one per recipient (0 while scheduled)' }) created: number;
  @ApiProperty({ enum: SEND_STATUSES }) status: SendStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sendAt: string | null;
}

export class ListSendsQuery {
  @ApiPropertyOptional({ enum: SEND_STATUSES })
  @IsOptional()
  @IsIn(SEND_STATUSES, { message: `status must be one of ${SEND_STATUSES.join(', ')}` })
  status?: SendStatus;

  @ApiPropertyOptional({ type: String, description: "The previous page's nextCursor" })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @PageLimit()
  limit?: number;
}

// ---- validators --------------------------------------------------------------------------

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


function isEscalation(value: unknown): value is EscalationRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { afterSeconds, to, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return false;
  if (!Number.isInteger(afterSeconds) || (afterSeconds as number) < 1 || (afterSeconds as number) > MAX_ESCALATION_SECONDS) return false;
  return isTarget(to) && !('all' in (to as object));
}

function IsEscalation(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEscalation',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `escalation must be { afterSeconds: 1 to ${MAX_ESCALATION_SECONDS}, to: { userId } | { teamId } | { role: ${ROLES.join(' | ')} } }`,
        ...options,
      },
      validator: { validate: isEscalation },
    });
}

// ---- responses (for the OpenAPI document) ------------------------------------------------

export class AlertSettingsView implements AlertSettingsDto {
  @ApiProperty({ type: 'integer' }) criticalEscalateAfterSeconds: number;
  @ApiProperty({ type: 'integer' }) escalationMinSeconds: number;
  @ApiProperty({ type: 'integer' }) escalationMaxSteps: number;
}

export class SendCountsView implements SendCounts {
  @ApiProperty({ type: 'integer' }) recipients: number;
  @ApiProperty({ type: 'integer', description: 'A device confirmed arrival (or it was seen or read)' }) delivered: number;
  @ApiProperty({ type: 'integer', description: 'Shown on screen (or read)' }) seen: number;
  @ApiProperty({ type: 'integer' }) read: number;
  @ApiProperty({ type: 'integer' }) acknowledged: number;
}

export class SendTargetView implements SendTargetDto {
  @ApiProperty({ enum: ['user', 'team', 'role', 'all', 'order'] }) kind: SendTargetDto['kind'];
  @ApiProperty({ type: String, nullable: true }) id: string | null;
  @ApiProperty() label: string;
}

export class SendEscalationView implements SendEscalationDto {
  @ApiProperty({ type: 'integer' }) afterSeconds: number;
  @ApiProperty({ type: SendTargetView }) to: SendTargetDto;
  @ApiProperty({ type: 'integer' }) stepsDone: number;
  @ApiProperty({ type: 'integer' }) maxSteps: number;
}

class SenderView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class SendSummaryView implements SendSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: SenderView, nullable: true }) sender: { id: string; name: string } | null;
  @ApiProperty({ enum: NOTIFICATION_TYPES }) type: NotificationType;
  @ApiProperty({ enum: NOTIFICATION_PRIORITIES }) priority: NotificationPriority;
  @ApiProperty() title: string;
  @ApiProperty({ type: SendTargetView }) target: SendTargetDto;
  @ApiProperty() requireAck: boolean;
  @ApiProperty({ enum: SEND_STATUSES }) status: SendStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sendAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiProperty({ type: SendEscalationView, nullable: true }) escalation: SendEscalationDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'For an escalation step: the send it escalates' }) escalationOf: string | null;
  @ApiProperty({ type: SendCountsView }) counts: SendCounts;
}

export class SendPageView implements SendPageDto {
  @ApiProperty({ type: [SendSummaryView] }) items: SendSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class SendRecipientView implements SendRecipientDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) seenAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
}

export class EscalationStepView implements EscalationStepDto {
  @ApiProperty({ type: 'integer' }) step: number;
  @ApiProperty({ format: 'uuid' }) sendId: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: 'integer' }) recipients: number;
}

export class SendDetailView extends SendSummaryView implements SendDetailDto {
  @ApiProperty() message: string;
  @ApiProperty({ type: [SendRecipientView], description: `By name, at most ${MAX_LISTED_RECIPIENTS}` }) recipients: SendRecipientDto[];
  @ApiProperty({ type: [EscalationStepView] }) escalations: EscalationStepDto[];
}
