import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { CreateTeamRequest, SetTeamMembersRequest, TeamDetailDto, TeamDto, UpdateTeamRequest } from '@clinic/contracts';
import { Observable } from 'rxjs';

import { TEAMS_URL } from './api-paths';

/**
 * Teams: everyone signed in lists them (an order or a send may be addressed to any); admins
 * create, rename and delete them and set their members.
 */
@Injectable({ providedIn: 'root' })
export class TeamsApi {
  private readonly http = inject(HttpClient);

  /** Every team, by name. */
  list(): Observable<TeamDto[]> {
    return this.http.get<TeamDto[]>(TEAMS_URL);
  }

  get(id: string): Observable<TeamDetailDto> {
    return this.http.get<TeamDetailDto>(teamUrl(id));
  }

  create(request: CreateTeamRequest): Observable<TeamDetailDto> {
    return this.http.post<TeamDetailDto>(TEAMS_URL, request);
  }

  rename(id: string, name: string): Observable<TeamDetailDto> {
    const body: UpdateTeamRequest = { name };
    return this.http.patch<TeamDetailDto>(teamUrl(id), body);
  }

  delete(id: string): Observable<void> {
    return this.http.delete<void>(teamUrl(id));
  }

  /** The complete member list: members' open sockets join or leave the team's room at once. */
  setMembers(id: string, userIds: readonly string[]): Observable<TeamDetailDto> {
    const body: SetTeamMembersRequest = { userIds: [...userIds] };
    return this.http.put<TeamDetailDto>(`${teamUrl(id)}/members`, body);
  }
}

const teamUrl = (id: string) => `${TEAMS_URL}/${encodeURIComponent(id)}`;
