import { Injectable } from '@nestjs/common';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Team, User } from '../generated/prisma/client';

/** A team with its active member count and whether one given user is a member. */
export type TeamSummary = Team & { activeMembers: number; isMember: boolean };
export type TeamWithMembers = TeamSummary & { members: User[] };

/** Which memberships a change added and removed (user ids, or team ids for a change of one user's teams). */
export interface MembershipChange {
  added: string[];
  removed: string[];
}

const activeMembers = { _count: { select: { members: { where: { user: { deactivatedAt: null } } } } } } as const;

/** Every read and write of teams and their members. */
@Injectable()
export class TeamsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Every team, by name. */
  async list(viewerId: string): Promise<TeamSummary[]> {
    const teams = await this.prisma.team.findMany({
      include: { ...activeMembers, members: { where: { userId: viewerId }, select: { userId: true } } },
      orderBy: { name: 'asc' },
    });
    return teams.map(({ _count, members, ...team }) => ({ ...team, activeMembers: _count.members, isMember: members.length > 0 }));
  }

  /** The team with its members by name (deactivated ones too), or null. */
  async find(id: string, viewerId: string, tx: Tx = this.prisma): Promise<TeamWithMembers | null> {
    const team = await tx.team.findUnique({
      where: { id },
      include: { ...activeMembers, members: { include: { user: true }, orderBy: { user: { name: 'asc' } } } },
    });
    if (!team) return null;
    const { _count, members, ...rest } = team;
    const users = members.map((member) => member.user);
    return { ...rest, activeMembers: _count.members, isMember: users.some((user) => user.id === viewerId), members: users };
  }

  /** Locks the team until the transaction ends (concurrent member changes wait); false when there is none. */
  async lock(tx: Tx, id: string): Promise<boolean> {
    const rows = await tx.$queryRaw<unknown[]>`SELECT "id" FROM "Team" WHERE "id" = ${id} FOR UPDATE`;
    return rows.length > 0;
  }

  isMember(teamId: string, userId: string): Promise<boolean> {
    return this.prisma.teamMember.count({ where: { teamId, userId } }).then((count) => count > 0);
  }

  /** Whether another team already has this name, in any letter case (the unique index on lower(name)). */
  async nameTaken(tx: Tx, name: string, exceptId?: string): Promise<boolean> {
    const rows = await tx.$queryRaw<unknown[]>`
      SELECT 1 FROM "Team" WHERE lower("name") = lower(${name}) AND "id" IS DISTINCT FROM ${exceptId ?? null}`;
    return rows.length > 0;
  }

  create(tx: Tx, name: string): Promise<Team> {
    return tx.team.create({ data: { name } });
  }

  rename(tx: Tx, id: string, name: string): Promise<Team> {
    return tx.team.update({ where: { id }, data: { name } });
  }

  /** Deletes the team with its memberships; its orders keep their creator and assignee but lose the team. */
  async delete(tx: Tx, id: string): Promise<{ memberIds: string[]; ordersUnassigned: number }> {
    const memberIds = (await tx.teamMember.findMany({ where: { teamId: id }, select: { userId: true } })).map((member) => member.userId);
    const ordersUnassigned = await tx.order.count({ where: { teamId: id } });
    await tx.team.delete({ where: { id } });
    return { memberIds, ordersUnassigned };
  }

  /** Of these user ids, the ones that do not name a user. */
  async unknownUsers(tx: Tx, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const found = new Set((await tx.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true } })).map((user) => user.id));
    return userIds.filter((id) => !found.has(id));
  }

  /** Makes `userIds` the team's complete member list. */
  async setMembers(tx: Tx, teamId: string, userIds: readonly string[]): Promise<MembershipChange> {
    const current = new Set((await tx.teamMember.findMany({ where: { teamId }, select: { userId: true } })).map((member) => member.userId));
    const wanted = new Set(userIds);
    const added = [...wanted].filter((id) => !current.has(id)).sort();
    const removed = [...current].filter((id) => !wanted.has(id)).sort();
    if (removed.length) await tx.teamMember.deleteMany({ where: { teamId, userId: { in: removed } } });
    // A concurrent change of the same user's teams (PATCH /users/:id) may have added one first.
    if (added.length) await tx.teamMember.createMany({ data: added.map((userId) => ({ teamId, userId })), skipDuplicates: true });
    return { added, removed };
  }
}
