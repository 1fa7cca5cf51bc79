import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Notification } from '../generated/prisma/client';
import { ACCOUNT_TEAMS, UserWithTeams } from './user.mapper';

/** The reads of a user's data export that belong to no other feature's service. */
@Injectable()
export class UserExportRepository {
  constructor(private readonly prisma: PrismaService) {}

  account(id: string): Promise<UserWithTeams | null> {
    return this.prisma.user.findUnique({ where: { id }, include: ACCOUNT_TEAMS });
  }

  /** Oldest first, by the (userId, seq) index. */
  notifications(userId: string): Promise<Notification[]> {
    return this.prisma.notification.findMany({ where: { userId }, orderBy: { seq: 'asc' } });
  }
}
