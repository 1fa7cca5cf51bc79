import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsUUID, registerDecorator, ValidationOptions } from 'class-validator';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES, AuditAction, AuditEntryDto, AuditPageDto, AuditTargetType, UserRefDto } from '@clinic/contracts';
import { PageLimit } from '../common/pagination';
import { parseSeq } from '../notifications/seq';
import { UserRefView } from '../orders/order.dto';

/** An ISO 8601 date-time with its time zone ("2026-12-01T08:00:00Z"), as a Date; anything else is left for IsDate to refuse. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const toTime = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string' || !ISO_TIME.test(value)) return value;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time;
};

export class ListAuditQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only what this user did' })
  @IsOptional()
  @IsUUID('all', { message: 'actorId must be a user id' })
  actorId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of ${AUDIT_ACTIONS.join(', ')}` })
  action?: AuditAction;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'From this time on (included)' })
  @IsOptional()
  @Transform(toTime)
  @IsDate({ message: 'from must be an ISO 8601 time with a time zone, e.g. 2026-12-01T08:00:00Z' })
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Before this time (excluded)' })
  @IsOptional()
  @Transform(toTime)
  @IsDate({ message: 'to must be an ISO 8601 time with a time zone, e.g. 2026-12-01T18:00:00Z' })
  to?: Date;

  @ApiPropertyOptional({ type: String, description: "The previous page's nextCursor", example: '1042' })
  @IsOptional()
  @Transform(({ value }) => parseSeq(value) ?? value)
  @IsSeq()
  cursor?: bigint;

  @PageLimit()
  limit?: number;
}

export class AuditEntryView implements AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'A bigint as a decimal string; higher is later', example: '1042' }) seq: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId: string | null;
  @ApiProperty({ type: UserRefView, nullable: true }) actor: UserRefDto | null;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action: AuditAction;
  @ApiProperty({ enum: AUDIT_TARGET_TYPES, nullable: true }) targetType: AuditTargetType | null;
  @ApiProperty({ type: String, nullable: true }) targetId: string | null;
  @ApiProperty({ description: 'The node that wrote it (NODE_NAME)' }) node: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details: Record<string, unknown>;
}

export class AuditPageView implements AuditPageDto {
  @ApiProperty({ type: [AuditEntryView] }) items: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next, older page' }) nextCursor: string | null;
}

function IsSeq(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSeq',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'cursor must be the nextCursor of a previous page', ...options },
      validator: { validate: (value: unknown) => typeof value === 'bigint' },
    });
}
