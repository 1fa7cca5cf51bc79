import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DEFAULT_PAGE_SIZE, OrderDto, OrderPageDto } from '@clinic/contracts';
import { CurrentUser } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { ApiErrors } from '../common/api-docs';
import { ApiIdempotencyKey, IdempotencyKey, sendIdempotent } from '../common/idempotency.service';
import { OrderCreateRateLimitGuard } from './order-create-rate-limit.guard';
import { ChangeOrderStatusDto, CreateOrderDto, ListOrdersQuery, OrderPageView, OrderView } from './order.dto';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @ApiOperation({ summary: 'The orders the caller may see (admins: all), newest first, one page at a time' })
  @ApiOkResponse({ type: OrderPageView })
  list(@CurrentUser() user: AuthUser, @Query() query: ListOrdersQuery): Promise<OrderPageDto> {
    return this.orders.list(user, query.cursor, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One order the caller may see' })
  @ApiOkResponse({ type: OrderView })
  @ApiErrors({ 404: 'No such order among those the caller may see' })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<OrderDto> {
    return this.orders.get(user, id);
  }

  @Post()
  @UseGuards(OrderCreateRateLimitGuard)
  @ApiOperation({ summary: 'Create an order; its assignee and its team are notified' })
  @ApiIdempotencyKey(OrderView)
  @ApiErrors({ 429: 'This user created more orders this minute than allowed' })
  async create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateOrderDto,
    @IdempotencyKey() idempotencyKey: string | null,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrderDto> {
    return sendIdempotent(response, await this.orders.create(user, body, idempotencyKey));
  }

  @Patch(':id/status')
  @ApiOperation({ summary: 'Move an order to its next status (or cancel it); its creator, assignee and team are notified, not the caller' })
  @ApiOkResponse({ type: OrderView })
  @ApiErrors({ 404: 'No such order among those the caller may see', 409: 'The transition is not allowed from the current status' })
  changeStatus(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: ChangeOrderStatusDto): Promise<OrderDto> {
    return this.orders.changeStatus(user, id, body.status);
  }

  @Post(':id/payment')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Record that the order's payment was verified (admins and its creator); the others concerned are notified" })
  @ApiOkResponse({ type: OrderView })
  @ApiErrors({
    403: "Neither an admin nor the order's creator",
    404: 'No such order among those the caller may see',
    409: 'Already paid, or the order is cancelled',
  })
  verifyPayment(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<OrderDto> {
    return this.orders.verifyPayment(user, id);
  }
}
