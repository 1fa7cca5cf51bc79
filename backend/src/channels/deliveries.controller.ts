import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, DeliveryDto, DeliveryPageDto } from '@clinic/contracts';
import { Roles } from '../auth/auth.decorators';
import { ApiErrors } from '../common/api-docs';
import { DeliveriesService } from './deliveries.service';
import { DeliveryPageView, DeliveryView, ListDeliveriesQuery } from './delivery.dto';

@ApiTags('deliveries')
@Roles('ADMIN')
@Controller('deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiOperation({ summary: 'Email and SMS deliveries, newest first: the outbox, failures (status=failed), what was sent' })
  @ApiOkResponse({ type: DeliveryPageView })
  list(@Query() query: ListDeliveriesQuery): Promise<DeliveryPageDto> {
    return this.deliveries.list({ status: query.status, cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Queue a failed (dead-lettered) delivery again, its attempts from zero' })
  @ApiOkResponse({ type: DeliveryView })
  @ApiErrors({ 404: 'No such delivery', 409: 'It is not failed' })
  retry(@Param('id') id: string): Promise<DeliveryDto> {
    return this.deliveries.retry(id);
  }
}
