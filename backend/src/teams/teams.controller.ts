import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TeamDetailDto, TeamDto } from '@clinic/contracts';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { ApiErrors } from '../common/api-docs';
import { CreateTeamDto, SetTeamMembersDto, TeamDetailView, TeamView, UpdateTeamDto } from './team.dto';
import { TeamsService } from './teams.service';

const teamId = () => new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('teams')
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @ApiOperation({ summary: 'Every team by name, with its active member count and whether the caller is a member' })
  @ApiOkResponse({ type: [TeamView] })
  list(@CurrentUser() user: AuthUser): Promise<TeamDto[]> {
    return this.teams.list(user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A team with its members: for admins and its own members' })
  @ApiOkResponse({ type: TeamDetailView })
  @ApiErrors({ 404: 'No such team, or the caller is neither an admin nor a member' })
  get(@CurrentUser() user: AuthUser, @Param('id', teamId()) id: string): Promise<TeamDetailDto> {
    return this.teams.get(user, id);
  }

  @Post()
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Create a team, optionally with its first members' })
  @ApiCreatedResponse({ type: TeamDetailView })
  @ApiErrors({ 404: 'A user of userIds does not exist', 409: 'A team with this name already exists' })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateTeamDto): Promise<TeamDetailDto> {
    return this.teams.create(user, body.name, body.userIds ?? []);
  }

  @Patch(':id')
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Rename a team' })
  @ApiOkResponse({ type: TeamDetailView })
  @ApiErrors({ 404: 'No such team', 409: 'A team with this name already exists' })
  rename(@CurrentUser() user: AuthUser, @Param('id', teamId()) id: string, @Body() body: UpdateTeamDto): Promise<TeamDetailDto> {
    return this.teams.rename(user, id, body.name);
  }

  @Delete(':id')
  @Roles('ADMIN')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a team: its members leave its room; its orders keep their creator and assignee' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 404: 'No such team' })
  remove(@CurrentUser() user: AuthUser, @Param('id', teamId()) id: string): Promise<void> {
    return this.teams.remove(user, id);
  }

  @Put(':id/members')
  @Roles('ADMIN')
  @ApiOperation({ summary: "Set a team's complete member list; their open sockets join or leave its room at once" })
  @ApiOkResponse({ type: TeamDetailView })
  @ApiErrors({ 404: 'No such team, or a user of userIds does not exist' })
  setMembers(@CurrentUser() user: AuthUser, @Param('id', teamId()) id: string, @Body() body: SetTeamMembersDto): Promise<TeamDetailDto> {
    return this.teams.setMembers(user, id, body.userIds);
  }
}
