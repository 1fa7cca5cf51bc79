import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { UserDto } from '@clinic/contracts';
import { Roles } from '../auth/auth.decorators';
import { UpdateUserDto, UserView } from './user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'All users, for the admin page target picker' })
  @ApiOkResponse({ type: [UserView] })
  list(): Promise<UserDto[]> {
    return this.users.list();
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's name or role; a role change ends their sessions" })
  @ApiOkResponse({ type: UserView })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'The last active admin cannot be demoted' })
  update(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, body);
  }

  @Post(':id/deactivate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Deactivate a user: they cannot sign in, receive nothing, and their sessions end' })
  @ApiOkResponse({ type: UserView })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'The last active admin cannot be deactivated' })
  deactivate(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string): Promise<UserDto> {
    return this.users.deactivate(id);
  }

  @Post(':id/reactivate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Reactivate a user; they sign in again' })
  @ApiOkResponse({ type: UserView })
  @ApiNotFoundResponse({ description: 'No such user' })
  reactivate(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string): Promise<UserDto> {
    return this.users.reactivate(id);
  }
}
