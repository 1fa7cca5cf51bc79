import type { TeamDetailDto, TeamDto } from '@clinic/contracts';
import { toUserDto } from '../users/user.mapper';
import type { TeamSummary, TeamWithMembers } from './teams.repository';

export function toTeamDto(team: TeamSummary): TeamDto {
  return { id: team.id, name: team.name, createdAt: team.createdAt.toISOString(), memberCount: team.activeMembers, isMember: team.isMember };
}

export function toTeamDetailDto(team: TeamWithMembers): TeamDetailDto {
  return { ...toTeamDto(team), members: team.members.map(toUserDto) };
}
