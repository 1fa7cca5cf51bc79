import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AlertSettingsDto, DEFAULT_PAGE_SIZE, SendDetailDto, SendNotificationResult, SendPageDto } from '@clinic/contracts';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { ApiErrors } from '../common/api-docs';
import { ApiIdempotencyKey, IdempotencyKey, sendIdempotent } from '../common/idempotency.service';
import { AlertSettingsView, ListSendsQuery, SendDetailView, SendNotificationDto, SendNotificationView, SendPageView } from './send.dto';
import { SendRateLimitGuard } from './send-rate-limit.guard';
import { SendsService } from './sends.service';

@ApiTags('notifications')
@Controller('notifications')
export class SendNotificationController {
  constructor(private readonly sends: SendsService) {}

  @Post('test')
  @Roles('ADMIN')
  @UseGuards(SendRateLimitGuard)
  @ApiOperation({ summary: 'Send a notification to a user, a team, everyone with a role, or everyone; now or at sendAt' })
  @ApiIdempotencyKey(SendNotificationView)
  @ApiErrors({ 429: 'This admin sent more notifications in the last minute than allowed' })
  async send(
    @CurrentUser() user: AuthUser,
    @Body() body: SendNotificationDto,
    @IdempotencyKey() idempotencyKey: string | null,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SendNotificationResult> {
    return sendIdempotent(response, await this.sends.send(user.id, body, idempotencyKey));
  }
}

@ApiTags('sends')
@Controller('sends')
export class SendsController {
  constructor(private readonly sends: SendsService) {}

  @Get()
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Recent sends with their receipt counts, newest first; status=scheduled lists those still to go out' })
  @ApiOkResponse({ type: SendPageView })
  list(@Query() query: ListSendsQuery): Promise<SendPageDto> {
    return this.sends.list({ status: query.status, cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get('settings')
  @Roles('ADMIN')
  @ApiOperation({ summary: "The server's escalation settings, for the send form" })
  @ApiOkResponse({ type: AlertSettingsView })
  settings(): AlertSettingsDto {
    return this.sends.settings();
  }

  @Get(':sendId')
  @ApiOperation({ summary: "One send's receipts per recipient and its escalation steps (admins, the sender, escalation recipients)" })
  @ApiOkResponse({ type: SendDetailView })
  @ApiErrors({ 404: 'No such send, or not one you may see' })
  detail(@CurrentUser() user: AuthUser, @Param('sendId') sendId: string): Promise<SendDetailDto> {
    return this.sends.detail(user, sendId);
  }

  @Delete(':sendId')
  @Roles('ADMIN')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Cancel a scheduled send that has not gone out' })
  @ApiNoContentResponse({ description: 'Cancelled' })
  @ApiErrors({ 404: 'No such send', 409: 'It has already gone out or was cancelled' })
  cancel(@CurrentUser() user: AuthUser, @Param('sendId') sendId: string): Promise<void> {
    return this.sends.cancel(user, sendId);
  }
}
