import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import {
  AMOUNT_PATTERN,
  ChangeOrderStatusRequest,
  CreateOrderRequest,
  ORDER_STATUSES,
  OrderDto,
  OrderPageDto,
  OrderStatus,
  PAYMENT_STATUSES,
  PaymentStatus,
  TeamRefDto,
  UserRefDto,
} from '@clinic/contracts';
import { IdCursorPageQuery } from '../common/pagination';
import { IsPlainText } from '../common/plain-text';

export class ListOrdersQuery extends IdCursorPageQuery {}

export class CreateOrderDto implements CreateOrderRequest {
  @ApiProperty({ example: 'Jane Roe' })
  @IsString()
  @Length(1, 200)
  @IsPlainText()
  patientName: string;

  @ApiProperty({ example: 'Full blood panel' })
  @IsString()
  @Length(1, 2000)
  @IsPlainText({ multiline: true })
  description: string;

  @ApiProperty({
    example: '120.50',
    description: 'Amount with at most two decimals (string or number)',
    oneOf: [{ type: 'string', pattern: AMOUNT_PATTERN.source }, { type: 'number', minimum: 0, maximum: 9999999999.99 }],
  })
  // Numbers are taken as written ("120.5"); the amount is then kept as an exact decimal string.
  @Transform(({ value }) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value))
  @IsString({ message: 'total must be an amount such as 120.50' })
  @Matches(AMOUNT_PATTERN, { message: 'total must be an amount from 0 to 9999999999.99 with at most two decimals' })
  total: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The staff member who carries the order out' })
  @IsOptional()
  @IsUUID('all', { message: 'assigneeId must be a user id' })
  assigneeId?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The team that carries it out: its members see it and are notified' })
  @IsOptional()
  @IsUUID('all', { message: 'teamId must be a team id' })
  teamId?: string | null;
}

export class ChangeOrderStatusDto implements ChangeOrderStatusRequest {
  @ApiProperty({ enum: ORDER_STATUSES })
  @IsIn(ORDER_STATUSES, { message: `status must be one of ${ORDER_STATUSES.join(', ')}` })
  status: OrderStatus;
}

// ---- responses (for the OpenAPI document) ------------------------------------------------

export class UserRefView implements UserRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class TeamRefView implements TeamRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class OrderView implements OrderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() patientName: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: '120.50', pattern: AMOUNT_PATTERN.source, description: 'An exact decimal, always as a string' }) total: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty({ enum: PAYMENT_STATUSES }) paymentStatus: PaymentStatus;
  @ApiProperty({ type: UserRefView }) createdBy: UserRefDto;
  @ApiProperty({ type: UserRefView, nullable: true }) assignee: UserRefDto | null;
  @ApiProperty({ type: TeamRefView, nullable: true }) team: TeamRefDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class OrderPageView implements OrderPageDto {
  @ApiProperty({ type: [OrderView] }) items: OrderDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
