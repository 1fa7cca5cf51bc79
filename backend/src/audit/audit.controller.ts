import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditPageDto, DEFAULT_PAGE_SIZE } from '@clinic/contracts';
import { Roles } from '../auth/auth.decorators';
import { AuditPageView, ListAuditQuery } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Roles('ADMIN')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first, filtered by actor, action and period, one page at a time' })
  @ApiOkResponse({ type: AuditPageView })
  list(@Query() query: ListAuditQuery): Promise<AuditPageDto> {
    return this.audit.list({
      actorId: query.actorId,
      action: query.action,
      from: query.from,
      to: query.to,
      before: query.cursor,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
    });
  }
}
