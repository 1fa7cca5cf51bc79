import { Injectable } from '@nestjs/common';
import type { Language, Role } from '@clinic/contracts';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Prisma, User } from '../generated/prisma/client';
import type { MembershipChange } from '../teams/teams.repository';
import { ACCOUNT_TEAMS, UserWithTeams } from './user.mapper';

export interface UserPageQuery {
  /** Part of the name or email, in any letter case. */
  search?: string;
  /** The id of the last user of the previous page. */
  after?: string;
  take: number;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  phone: string | null;
  language: Language;
  passwordHash: string;
}


/**
 * Prisma's `contains` is a LIKE that leaves `%` and `_` as wildcards: escaped here (PostgreSQL's
 * LIKE escape is the backslash), so that a search matches what was typed and nothing more.
 */
const literally = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/** Every read and write of users and of their team memberships. */
@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** By name, then id; `search` matches part of the name or the email, in any letter case. */
  async page(query: UserPageQuery): Promise<UserWithTeams[]> {
    const search = query.search === undefined ? null : { contains: literally(query.search), mode: 'insensitive' as const };
    return this.prisma.user.findMany({
      where: search ? { OR: [{ name: search }, { email: search }] } : {},
      include: ACCOUNT_TEAMS,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: query.take,
      ...(query.after ? { cursor: { id: query.after }, skip: 1 } : {}),
    });
  }

  exists(id: string): Promise<boolean> {
    return this.prisma.user.count({ where: { id } }).then((count) => count > 0);
  }

  find(tx: Tx, id: string): Promise<User | null> {
    return tx.user.findUnique({ where: { id } });
  }

  findWithTeams(tx: Tx, id: string): Promise<UserWithTeams | null> {
    return tx.user.findUnique({ where: { id }, include: ACCOUNT_TEAMS });
  }

  emailTaken(email: string, tx: Tx = this.prisma): Promise<boolean> {
    return tx.user.count({ where: { email } }).then((count) => count > 0);
  }

  create(tx: Tx, user: NewUser): Promise<User> {
    return tx.user.create({ data: user });
  }

  update(tx: Tx, id: string, data: Prisma.UserUpdateInput): Promise<User> {
    return tx.user.update({ where: { id }, data });
  }

  /** Of these team ids, the ones that do not name a team. */
  async unknownTeams(teamIds: readonly string[], tx: Tx = this.prisma): Promise<string[]> {
    if (teamIds.length === 0) return [];
    const found = new Set((await tx.team.findMany({ where: { id: { in: [...teamIds] } }, select: { id: true } })).map((team) => team.id));
    return teamIds.filter((id) => !found.has(id));
  }

  /** Makes `teamIds` the user's complete list of teams. */
  async setTeams(tx: Tx, userId: string, teamIds: readonly string[]): Promise<MembershipChange> {
    const current = new Set((await tx.teamMember.findMany({ where: { userId }, select: { teamId: true } })).map((member) => member.teamId));
    const wanted = new Set(teamIds);
    const added = [...wanted].filter((id) => !current.has(id)).sort();
    const removed = [...current].filter((id) => !wanted.has(id)).sort();
    if (removed.length) await tx.teamMember.deleteMany({ where: { userId, teamId: { in: removed } } });
    // A concurrent change of the same team's members (PUT /teams/:id/members) may have added one first.
    if (added.length) await tx.teamMember.createMany({ data: added.map((teamId) => ({ teamId, userId })), skipDuplicates: true });
    return { added, removed };
  }

  /**
   * Locks the active admins until the transaction ends, so two admins demoting or deactivating
   * each other at once cannot leave the clinic with none: the second waits, then counts again.
   */
  async lockActiveAdmins(tx: Tx): Promise<void> {
    await tx.$queryRaw`SELECT "id" FROM "User" WHERE "role" = 'ADMIN' AND "deactivatedAt" IS NULL FOR UPDATE`;
  }

  countOtherActiveAdmins(tx: Tx, id: string): Promise<number> {
    return tx.user.count({ where: { role: 'ADMIN', deactivatedAt: null, id: { not: id } } });
  }
}
