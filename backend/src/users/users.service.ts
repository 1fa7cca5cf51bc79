import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { UserDto } from '@clinic/contracts';
import { PrismaService } from '../database/prisma.service';
import type { Prisma, User } from '../generated/prisma/client';
import { SessionsService } from '../sessions/sessions.service';
import { toUserDto } from './user.mapper';
import type { UpdateUserDto } from './user.dto';

/** Administration of accounts. A role change or a deactivation ends the user's sessions at once. */
@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sessions: SessionsService,
  ) {}

  async list(): Promise<UserDto[]> {
    const users = await this.prisma.user.findMany({ orderBy: { name: 'asc' } });
    return users.map(toUserDto);
  }

  async update(id: string, changes: UpdateUserDto): Promise<UserDto> {
    const { user, roleChanged } = await this.whileAdminsRemain(id, async (tx, before) => {
      if (changes.role === 'STAFF' && before.role === 'ADMIN' && !before.deactivatedAt) await assertAnotherActiveAdmin(tx, id);
      const user = await tx.user.update({ where: { id }, data: changes });
      return { user, roleChanged: user.role !== before.role };
    });
    if (roleChanged) await this.sessions.endAllOfUser(id, 'role-change');
    return toUserDto(user);
  }

  async deactivate(id: string): Promise<UserDto> {
    const user = await this.whileAdminsRemain(id, async (tx, before) => {
      if (before.deactivatedAt) return before;
      if (before.role === 'ADMIN') await assertAnotherActiveAdmin(tx, id);
      return tx.user.update({ where: { id }, data: { deactivatedAt: new Date() } });
    });
    await this.sessions.endAllOfUser(id, 'deactivated');
    return toUserDto(user);
  }

  async reactivate(id: string): Promise<UserDto> {
    return toUserDto(await this.whileAdminsRemain(id, (tx) => tx.user.update({ where: { id }, data: { deactivatedAt: null } })));
  }

  /**
   * Runs a change of one user with the set of active admins locked (serialisable against other
   * admin changes), so two admins demoting each other at once cannot leave the clinic with none.
   */
  private whileAdminsRemain<T>(id: string, change: (tx: Prisma.TransactionClient, before: User) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "id" FROM "User" WHERE "role" = 'ADMIN' AND "deactivatedAt" IS NULL FOR UPDATE`;
      const before = await tx.user.findUnique({ where: { id } });
      if (!before) throw new NotFoundException('User not found');
      return change(tx, before);
    });
  }
}

async function assertAnotherActiveAdmin(tx: Prisma.TransactionClient, id: string): Promise<void> {
  const others = await tx.user.count({ where: { role: 'ADMIN', deactivatedAt: null, id: { not: id } } });
  if (others === 0) throw new ConflictException('This is the last active admin: make another user admin first');
}
