import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  DEFAULT_PAGE_SIZE,
  MarkAllReadResult,
  NotificationDto,
  NotificationPageDto,
  NotificationPreferenceDto,
  SendNotificationResult,
  UnreadCountDto,
} from '@clinic/contracts';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { ApiIdempotencyKey, IdempotencyKey, sendIdempotent } from '../common/idempotency.service';
import {
  ListNotificationsQuery,
  MarkAllReadView,
  NotificationPageView,
  NotificationView,
  PreferenceView,
  SendNotificationDto,
  SendNotificationView,
  UnreadCountView,
  UpdatePreferencesDto,
} from './notification.dto';
import { NotificationsService } from './notifications.service';
import { SendRateLimitGuard } from './send-rate-limit.guard';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'Own notifications, newest first, one page at a time' })
  @ApiOkResponse({ type: NotificationPageView })
  list(@CurrentUser() user: AuthUser, @Query() query: ListNotificationsQuery): Promise<NotificationPageDto> {
    return this.notifications.list(user.id, {
      before: query.cursor,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      unreadOnly: query.unread ?? false,
    });
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of the own notifications are unread' })
  @ApiOkResponse({ type: UnreadCountView })
  async unreadCount(@CurrentUser() user: AuthUser): Promise<UnreadCountDto> {
    return { count: await this.notifications.unreadCount(user.id) };
  }

  @Patch('read-all')
  @ApiOperation({ summary: 'Mark all own notifications read; every device of the user refreshes' })
  @ApiOkResponse({ type: MarkAllReadView })
  async markAllRead(@CurrentUser() user: AuthUser): Promise<MarkAllReadResult> {
    return { updated: await this.notifications.markAllRead(user.id) };
  }

  @Patch(':id/read')
  @ApiOperation({ summary: 'Mark one own notification read; every device of the user is updated' })
  @ApiOkResponse({ type: NotificationView })
  @ApiNotFoundResponse({ description: 'No such notification among your own' })
  markRead(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<NotificationDto> {
    return this.notifications.markRead(user.id, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete one own notification; every device of the user is updated' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such notification among your own' })
  remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    return this.notifications.remove(user.id, id);
  }

  @Get('preferences')
  @ApiOperation({ summary: 'Which notification types are muted (no toast; still listed and counted)' })
  @ApiOkResponse({ type: [PreferenceView] })
  preferences(@CurrentUser() user: AuthUser): Promise<NotificationPreferenceDto[]> {
    return this.notifications.preferences(user.id);
  }

  @Put('preferences')
  @ApiOperation({ summary: 'Mute or unmute notification types; CRITICAL notifications are never muted' })
  @ApiOkResponse({ type: [PreferenceView] })
  updatePreferences(@CurrentUser() user: AuthUser, @Body() body: UpdatePreferencesDto): Promise<NotificationPreferenceDto[]> {
    return this.notifications.updatePreferences(user.id, body.preferences);
  }

  @Post('test')
  @Roles('ADMIN')
  @UseGuards(SendRateLimitGuard)
  @ApiOperation({ summary: 'Send a notification to a user, everyone with a role, or everyone' })
  @ApiIdempotencyKey()
  @ApiTooManyRequestsResponse({ description: 'This admin sent more notifications in the last minute than allowed (see Retry-After)' })
  @ApiCreatedResponse({ type: SendNotificationView })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  async send(
    @CurrentUser() user: AuthUser,
    @Body() body: SendNotificationDto,
    @IdempotencyKey() idempotencyKey: string | null,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SendNotificationResult> {
    return sendIdempotent(response, await this.notifications.send(user.id, body, idempotencyKey));
  }
}
