import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DEFAULT_PAGE_SIZE,
  MarkAllReadResult,
  NotificationDto,
  NotificationPageDto,
  SeenResult,
  UnreadCountDto,
} from '@clinic/contracts';
import { CurrentUser } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { ApiErrors } from '../common/api-docs';
import {
  ListNotificationsQuery,
  MarkAllReadView,
  NotificationPageView,
  NotificationView,
  SeenDto,
  SeenView,
  UnreadCountView,
} from './notification.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
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
  @ApiErrors({ 404: 'No such notification among your own' })
  markRead(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<NotificationDto> {
    return this.notifications.markRead(user.id, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete one own notification; every device of the user is updated' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 404: 'No such notification among your own', 409: 'It awaits acknowledgement: acknowledge it first' })
  remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    return this.notifications.remove(user.id, id);
  }

  @Post('seen')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Receipts: the app showed these own notifications on screen (sets seenAt once each)' })
  @ApiOkResponse({ type: SeenView })
  async seen(@CurrentUser() user: AuthUser, @Body() body: SeenDto): Promise<SeenResult> {
    return { updated: await this.notifications.recordSeen(user.id, body.ids) };
  }

  @Post(':id/ack')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Acknowledge one own notification (marks it read too); every device of the user is updated and its escalation stops' })
  @ApiOkResponse({ type: NotificationView })
  @ApiErrors({ 404: 'No such notification among your own' })
  acknowledge(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<NotificationDto> {
    return this.notifications.acknowledge(user.id, id);
  }
}
