import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  BulkActionResult,
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
  BulkActionDto,
  BulkActionView,
  ListNotificationsQuery,
  MarkAllReadView,
  NotificationPageView,
  NotificationView,
  SeenDto,
  SeenView,
  SnoozeDto,
  UnreadCountView,
} from './notification.dto';
import { NotificationsService } from './notifications.service';
import { TriageService } from './triage.service';

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly triage: TriageService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Own notifications, newest first, one page at a time; narrowed by view, unread, type, priority and search' })
  @ApiOkResponse({ type: NotificationPageView })
  list(@CurrentUser() user: AuthUser, @Query() query: ListNotificationsQuery): Promise<NotificationPageDto> {
    return this.notifications.list(user.id, {
      before: query.cursor,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      filter: { view: query.view, unread: query.unread, types: query.type, priorities: query.priority, q: query.q },
    });
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of the own notifications are unread and in the inbox (neither archived nor snoozed)' })
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
    return this.triage.changeOne(user.id, id, 'read');
  }

  @Patch(':id/unread')
  @ApiOperation({ summary: 'Mark one own notification unread; every device of the user is updated' })
  @ApiOkResponse({ type: NotificationView })
  @ApiErrors({ 404: 'No such notification among your own' })
  markUnread(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<NotificationDto> {
    return this.triage.changeOne(user.id, id, 'unread');
  }

  @Patch(':id/archive')
  @ApiOperation({ summary: 'Archive one own notification (out of the inbox and its count; ends a snooze); every device of the user is updated' })
  @ApiOkResponse({ type: NotificationView })
  @ApiErrors({ 404: 'No such notification among your own', 409: 'It awaits acknowledgement: acknowledge it first' })
  archive(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<NotificationDto> {
    return this.triage.changeOne(user.id, id, 'archive');
  }

  @Patch(':id/unarchive')
  @ApiOperation({ summary: 'Back to the inbox from the archive; every device of the user is updated' })
  @ApiOkResponse({ type: NotificationView })
  @ApiErrors({ 404: 'No such notification among your own' })
  unarchive(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<NotificationDto> {
    return this.triage.changeOne(user.id, id, 'unarchive');
  }

  @Patch(':id/snooze')
  @ApiOperation({
    summary: 'Snooze one own notification until a time: out of the inbox and its count until then, back on every device on time (notification:reminder)',
  })
  @ApiOkResponse({ type: NotificationView })
  @ApiErrors({ 400: 'until is not a time after now and at most 30 days ahead', 404: 'No such notification among your own', 409: 'It awaits acknowledgement: acknowledge it first' })
  snooze(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: SnoozeDto): Promise<NotificationDto> {
    return this.triage.changeOne(user.id, id, 'snooze', body.until);
  }

  @Patch(':id/unsnooze')
  @ApiOperation({ summary: 'End a snooze now: back in the inbox; every device of the user is updated' })
  @ApiOkResponse({ type: NotificationView })
  @ApiErrors({ 404: 'No such notification among your own' })
  unsnooze(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<NotificationDto> {
    return this.triage.changeOne(user.id, id, 'unsnooze');
  }

  @Post('bulk')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: `One action (read, unread, archive, unarchive, snooze, unsnooze, delete) on up to 100 own notifications; what it could not do is in skipped` })
  @ApiOkResponse({ type: BulkActionView })
  @ApiErrors({ 400: 'Unknown action, no or too many ids, or snooze without a valid until' })
  bulk(@CurrentUser() user: AuthUser, @Body() body: BulkActionDto): Promise<BulkActionResult> {
    return this.triage.bulk(user.id, body.action, body.ids, body.until);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete one own notification; every device of the user is updated' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 404: 'No such notification among your own', 409: 'It awaits acknowledgement: acknowledge it first' })
  remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    return this.triage.deleteOne(user.id, id);
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
