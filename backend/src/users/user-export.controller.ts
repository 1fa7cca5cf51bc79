import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { UserExportDto } from '@clinic/contracts';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { ApiErrors } from '../common/api-docs';
import { UserExportView } from './user-export.dto';
import { UserExportService } from './user-export.service';

@ApiTags('users')
@Roles('ADMIN')
@Controller('users')
export class UserExportController {
  constructor(private readonly exports: UserExportService) {}

  @Get(':id/export')
  @ApiOperation({ summary: "Everything held about a user, as JSON: account, settings, preferences, notifications with receipts, deliveries; audited" })
  @ApiOkResponse({ type: UserExportView })
  @ApiErrors({ 404: 'No such user' })
  export(@CurrentUser() actor: AuthUser, @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string): Promise<UserExportDto> {
    return this.exports.export(actor.id, id);
  }
}
