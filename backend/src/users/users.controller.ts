import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountDto, AccountPageDto, CreateUserResult, DEFAULT_PAGE_SIZE, ResetPasswordResult } from '@clinic/contracts';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { ApiErrors } from '../common/api-docs';
import { AccountPageView, AccountView, CreateUserDto, CreateUserView, ListUsersQuery, ResetPasswordView, UpdateUserDto } from './user.dto';
import { UsersService } from './users.service';

const userId = () => new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('users')
@Roles('ADMIN')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Users by name, one page at a time; `q` searches names and emails' })
  @ApiOkResponse({ type: AccountPageView })
  list(@Query() query: ListUsersQuery): Promise<AccountPageDto> {
    return this.users.list({ search: query.q, cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Post()
  @ApiOperation({ summary: 'Create a user; without a password one is generated and answered once as initialPassword' })
  @ApiCreatedResponse({ type: CreateUserView })
  @ApiErrors({
    404: 'A team of teamIds does not exist',
    409: 'A user with this email already exists',
    503: 'Too many passwords being hashed at once, or the database is unreachable',
  })
  create(@CurrentUser() actor: AuthUser, @Body() body: CreateUserDto): Promise<CreateUserResult> {
    return this.users.create(actor.id, body);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's name, role, phone or teams; a role change ends their sessions" })
  @ApiOkResponse({ type: AccountView })
  @ApiErrors({ 404: 'No such user, or a team of teamIds does not exist', 409: 'The last active admin cannot be demoted' })
  update(@CurrentUser() actor: AuthUser, @Param('id', userId()) id: string, @Body() body: UpdateUserDto): Promise<AccountDto> {
    return this.users.update(actor.id, id, body);
  }

  @Post(':id/deactivate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Deactivate a user: they cannot sign in, receive nothing, and their sessions end' })
  @ApiOkResponse({ type: AccountView })
  @ApiErrors({ 404: 'No such user', 409: 'The last active admin cannot be deactivated' })
  deactivate(@CurrentUser() actor: AuthUser, @Param('id', userId()) id: string): Promise<AccountDto> {
    return this.users.deactivate(actor.id, id);
  }

  @Post(':id/reactivate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Reactivate a user; they sign in again' })
  @ApiOkResponse({ type: AccountView })
  @ApiErrors({ 404: 'No such user' })
  reactivate(@CurrentUser() actor: AuthUser, @Param('id', userId()) id: string): Promise<AccountDto> {
    return this.users.reactivate(actor.id, id);
  }

  @Post(':id/reset-password')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Replace a user's password with a generated one, answered once; every session of theirs ends" })
  @ApiOkResponse({ type: ResetPasswordView })
  @ApiErrors({ 404: 'No such user', 503: 'Too many passwords being hashed at once, or the database is unreachable' })
  resetPassword(@CurrentUser() actor: AuthUser, @Param('id', userId()) id: string): Promise<ResetPasswordResult> {
    return this.users.resetPassword(actor.id, id);
  }
}
