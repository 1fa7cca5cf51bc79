import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { CreateTeamRequest, SetTeamMembersRequest, TeamDetailDto, TeamDto, UpdateTeamRequest, UserDto } from '@clinic/contracts';
import { IsPlainText } from '../common/plain-text';
import { UserView } from '../users/user.dto';

/** Members one request may set at most. */
export const MAX_TEAM_MEMBERS = 1000;

function TeamName(): PropertyDecorator {
  return applyDecorators(
    IsPlainText(),
    Length(1, 100),
    IsString(),
    ApiProperty({ example: 'Ward A', description: 'Unique whatever its letter case; leading and trailing spaces are dropped' }),
  );
}

function UserIds(required: boolean): PropertyDecorator {
  return applyDecorators(
    IsUUID('all', { each: true, message: 'userIds must be a list of user ids' }),
    ArrayUnique({ message: 'userIds must name each user once' }),
    ArrayMaxSize(MAX_TEAM_MEMBERS),
    IsArray({ message: 'userIds must be a list of user ids' }),
    ...(required ? [ApiProperty({ type: [String], format: 'uuid' })] : [IsOptional(), ApiPropertyOptional({ type: [String], format: 'uuid' })]),
  );
}

export class CreateTeamDto implements CreateTeamRequest {
  @TeamName()
  name: string;

  @UserIds(false)
  userIds?: string[];
}

export class UpdateTeamDto implements UpdateTeamRequest {
  @TeamName()
  name: string;
}

export class SetTeamMembersDto implements SetTeamMembersRequest {
  @UserIds(true)
  userIds: string[];
}

// ---- responses (for the OpenAPI document) ------------------------------------------------

export class TeamView implements TeamDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: 'integer', description: 'Active members' }) memberCount: number;
  @ApiProperty({ description: 'Whether the caller is a member' }) isMember: boolean;
}

export class TeamDetailView extends TeamView implements TeamDetailDto {
  @ApiProperty({ type: [UserView], description: 'By name; deactivated members too' }) members: UserDto[];
}
