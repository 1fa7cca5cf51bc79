import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { UserDto } from '@clinic/contracts';
import { Roles } from '../auth/auth.decorators';
import { PrismaService } from '../database/prisma.service';
import { toUserDto } from './user.mapper';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  @Roles('ADMIN')
  @ApiOperation({ summary: 'All users, for the admin page target picker' })
  async list(): Promise<UserDto[]> {
    const users = await this.prisma.user.findMany({ orderBy: { name: 'asc' } });
    return users.map(toUserDto);
  }
}
