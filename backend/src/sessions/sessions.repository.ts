import { Injectable } from '@nestjs/common';
import type { Role } from '@clinic/contracts';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Session, User } from '../generated/prisma/client';

/** A session that may be used now: not ended or expired, its user active; with the user's role and teams. */
export interface ActiveSession {
  id: string;
  userId: string;
  role: Role;
  /** The ids of the user's teams, in id order. */
  teamIds: string[];
}

export type RefreshTokenRecord = {
  id: string;
  usedAt: Date | null;
  expiresAt: Date;
  session: Session & { user: User };
};

/**
 * One statement for any number of sessions: every socket of a reconnect storm asks at once, and
 * a round trip each made per-query driver work the node's largest cost (see CatchUpService's
 * batched replays). Named, so PostgreSQL plans it once per connection.
 */
const ACTIVE_SESSIONS = {
  name: 'active_sessions',
  text: `SELECT s."id", s."userId", u."role",
                ARRAY(SELECT m."teamId" FROM "TeamMember" m WHERE m."userId" = s."userId" ORDER BY m."teamId") AS "teamIds"
         FROM "Session" s JOIN "User" u ON u."id" = s."userId"
         WHERE s."id" = ANY($1::text[]) AND s."endedAt" IS NULL AND s."expiresAt" > now() AND u."deactivatedAt" IS NULL`,
};

/** Every read and write of sessions and refresh tokens. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async activeSessions(ids: readonly string[]): Promise<ActiveSession[]> {
    const { rows } = await this.prisma.pool.query<ActiveSession>({ ...ACTIVE_SESSIONS, values: [ids] });
    return rows;
  }

  /** A new session with its first refresh token, inside the caller's transaction. */
  async create(tx: Tx, userId: string, userAgent: string | null, expiresAt: Date, refreshTokenHash: string): Promise<Session> {
    const session = await tx.session.create({ data: { userId, userAgent, expiresAt } });
    await tx.refreshToken.create({ data: { userId, sessionId: session.id, tokenHash: refreshTokenHash, expiresAt } });
    return session;
  }

  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.prisma.refreshToken.findUnique({
      where: { tokenHash },
      select: { id: true, usedAt: true, expiresAt: true, session: { include: { user: true } } },
    });
  }

  /**
   * Marks the refresh token used and gives its session a successor token, or returns false when
   * someone used it first (two requests with one token: only one may win).
   */
  async rotate(tokenId: string, sessionId: string, userId: string, nextTokenHash: string, expiresAt: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const claimed = await tx.refreshToken.updateMany({ where: { id: tokenId, usedAt: null }, data: { usedAt: new Date() } });
      if (claimed.count === 0) return false;
      await tx.refreshToken.create({ data: { userId, sessionId, tokenHash: nextTokenHash, expiresAt } });
      await tx.session.update({ where: { id: sessionId }, data: { expiresAt } });
      return true;
    });
  }

  /** Ends these sessions if they are still open (inside `tx` when given); returns the ids that ended now. */
  async end(where: { id: string } | { userId: string; notId?: string }, reason: string, tx: Tx = this.prisma): Promise<string[]> {
    const filter =
      'id' in where ? { id: where.id } : { userId: where.userId, ...(where.notId ? { id: { not: where.notId } } : {}) };
    const ended = await tx.session.updateManyAndReturn({
      where: { ...filter, endedAt: null },
      data: { endedAt: new Date(), endReason: reason },
      select: { id: true },
    });
    return ended.map((session) => session.id);
  }
}
