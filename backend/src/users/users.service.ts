import { Injectable } from '@nestjs/common';
import { type AccountDto, type AccountPageDto, type CreateUserResult, DEFAULT_LANGUAGE, type ResetPasswordResult } from '@clinic/contracts';
import { AuditService } from '../audit/audit.service';
import { hashPassword } from '../auth/password';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { isUniqueViolation } from '../common/prisma-errors';
import { AfterCommit, TransactionService, Tx } from '../common/transaction.service';
import type { Prisma, User } from '../generated/prisma/client';
import { SessionsService } from '../sessions/sessions.service';
import { generatePassword } from './generated-password';
import type { CreateUserDto, UpdateUserDto } from './user.dto';
import { toAccountDto } from './user.mapper';
import type { MembershipChange } from '../teams/teams.repository';
import { UsersRepository } from './users.repository';

export interface UserListOptions {
  search?: string;
  cursor?: string;
  limit: number;
}

/**
 * Administration of accounts. Each change is one transaction with its audit entry and, where it
 * takes powers away (a role change, a deactivation, a password reset), with the end of the user's
 * sessions, whose tokens and sockets go on every node once it commits. A change of someone's
 * teams moves their open sockets between team rooms on every node (the TeamMember trigger; this
 * node is told at once).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly transactions: TransactionService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  async list({ search, cursor, limit }: UserListOptions): Promise<AccountPageDto> {
    if (cursor && !(await this.repository.exists(cursor))) throw new InvalidInputError('cursor must be the nextCursor of a previous page');
    const rows = await this.repository.page({ search, after: cursor, take: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: page.map(toAccountDto), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  /** A new account; without a password one is generated and answered this once. */
  async create(actorId: string, request: CreateUserDto): Promise<CreateUserResult> {
    const email = request.email.trim().toLowerCase();
    const teamIds = request.teamIds ?? [];
    // Checked before the deliberately slow hash, and again in the transaction (another admin may be quicker).
    await this.assertCreatable(email, teamIds);
    const initialPassword = request.password ? undefined : generatePassword();
    const passwordHash = await hashPassword(request.password || initialPassword!);
    try {
      const user = await this.transactions.run(async (tx, afterCommit) => {
        await this.assertCreatable(email, teamIds, tx);
        const created = await this.repository.create(tx, {
          email,
          name: request.name,
          role: request.role,
          phone: request.phone ?? null,
          language: request.language ?? DEFAULT_LANGUAGE,
          passwordHash,
        });
        await this.changeTeams(tx, afterCommit, created.id, teamIds);
        await this.audit.record(tx, {
          actorId,
          action: 'user.created',
          target: { type: 'user', id: created.id },
          details: { email, name: created.name, role: created.role, phone: created.phone, language: created.language, teamIds: [...teamIds].sort() },
        });
        return this.account(tx, created.id);
      });
      return initialPassword === undefined ? { user } : { user, initialPassword };
    } catch (error) {
      // Two admins creating one email at once: the unique index decides.
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
  }

  async update(actorId: string, id: string, request: UpdateUserDto): Promise<AccountDto> {
    if ([request.name, request.role, request.phone, request.teamIds].every((value) => value === undefined)) {
      throw new InvalidInputError('Send at least one of name, role, phone or teamIds');
    }
    return this.whileAdminsRemain(async (tx, afterCommit, before) => {
      if (request.role === 'STAFF' && before.role === 'ADMIN' && !before.deactivatedAt) await this.assertAnotherActiveAdmin(tx, id);
      if (request.teamIds) await this.assertTeamsExist(request.teamIds, tx);
      const data: Prisma.UserUpdateInput = {};
      const changes: Record<string, unknown> = {};
      for (const field of ['name', 'role', 'phone'] as const) {
        if (request[field] !== undefined && request[field] !== before[field]) {
          Object.assign(data, { [field]: request[field] });
          changes[field] = { from: before[field], to: request[field] };
        }
      }
      if (Object.keys(data).length > 0) await this.repository.update(tx, id, data);
      if (request.teamIds) {
        const teams = await this.changeTeams(tx, afterCommit, id, request.teamIds);
        if (teams.added.length || teams.removed.length) changes.teams = teams;
      }
      // Old powers go at once: every session ends, and the user signs in again with the new role.
      const sessionsEnded = 'role' in changes ? await this.sessions.endAllOfUserInTransaction(tx, afterCommit, id, 'role-change') : 0;
      if (Object.keys(changes).length > 0) {
        await this.audit.record(tx, { actorId, action: 'user.updated', target: { type: 'user', id }, details: { changes, sessionsEnded } });
      }
      return this.account(tx, id);
    }, id);
  }

  /** They cannot sign in, receive nothing, and every session of theirs ends. */
  async deactivate(actorId: string, id: string): Promise<AccountDto> {
    return this.whileAdminsRemain(async (tx, afterCommit, before) => {
      if (!before.deactivatedAt && before.role === 'ADMIN') await this.assertAnotherActiveAdmin(tx, id);
      if (!before.deactivatedAt) await this.repository.update(tx, id, { deactivatedAt: new Date() });
      const sessionsEnded = await this.sessions.endAllOfUserInTransaction(tx, afterCommit, id, 'deactivated');
      if (!before.deactivatedAt) {
        await this.audit.record(tx, { actorId, action: 'user.deactivated', target: { type: 'user', id }, details: { sessionsEnded } });
      }
      return this.account(tx, id);
    }, id);
  }

  async reactivate(actorId: string, id: string): Promise<AccountDto> {
    return this.whileAdminsRemain(async (tx, _afterCommit, before) => {
      if (before.deactivatedAt) {
        await this.repository.update(tx, id, { deactivatedAt: null });
        await this.audit.record(tx, { actorId, action: 'user.reactivated', target: { type: 'user', id } });
      }
      return this.account(tx, id);
    }, id);
  }

  /** A generated password replaces the user's, answered this once; every session of theirs ends. */
  async resetPassword(actorId: string, id: string): Promise<ResetPasswordResult> {
    const temporaryPassword = generatePassword();
    const passwordHash = await hashPassword(temporaryPassword);
    const user = await this.transactions.run(async (tx, afterCommit) => {
      if (!(await this.repository.find(tx, id))) throw notFound();
      await this.repository.update(tx, id, { passwordHash });
      const sessionsEnded = await this.sessions.endAllOfUserInTransaction(tx, afterCommit, id, 'password-reset');
      await this.audit.record(tx, { actorId, action: 'user.password-reset', target: { type: 'user', id }, details: { sessionsEnded } });
      return this.account(tx, id);
    });
    return { user, temporaryPassword };
  }

  /**
   * Runs a change of one user with the active admins locked (see lockActiveAdmins), so that the
   * clinic always keeps one.
   */
  private whileAdminsRemain<T>(change: (tx: Tx, afterCommit: AfterCommit, before: User) => Promise<T>, id: string): Promise<T> {
    return this.transactions.run(async (tx, afterCommit) => {
      await this.repository.lockActiveAdmins(tx);
      const before = await this.repository.find(tx, id);
      if (!before) throw notFound();
      return change(tx, afterCommit, before);
    });
  }

  private async assertAnotherActiveAdmin(tx: Tx, id: string): Promise<void> {
    if ((await this.repository.countOtherActiveAdmins(tx, id)) === 0) {
      throw new ConflictError('This is the last active admin: make another user admin first');
    }
  }

  /** Outside a transaction without `tx`. */
  private async assertCreatable(email: string, teamIds: readonly string[], tx?: Tx): Promise<void> {
    if (await this.repository.emailTaken(email, tx)) throw emailTaken();
    await this.assertTeamsExist(teamIds, tx);
  }

  private async assertTeamsExist(teamIds: readonly string[], tx?: Tx): Promise<void> {
    const [unknown] = await this.repository.unknownTeams(teamIds, tx);
    if (unknown) throw new NotFoundError(`Team not found: ${unknown}`);
  }

  /** The user's sockets on this node follow at once; the other nodes hear of it from the trigger. */
  private async changeTeams(tx: Tx, afterCommit: AfterCommit, userId: string, teamIds: readonly string[]): Promise<MembershipChange> {
    const change = await this.repository.setTeams(tx, userId, teamIds);
    if (change.added.length || change.removed.length) afterCommit(() => this.sessions.changes.announceUserChanged(userId));
    return change;
  }

  private async account(tx: Tx, id: string): Promise<AccountDto> {
    const user = await this.repository.findWithTeams(tx, id);
    if (!user) throw notFound();
    return toAccountDto(user);
  }
}

function notFound(): NotFoundError {
  return new NotFoundError('User not found');
}

function emailTaken(): ConflictError {
  return new ConflictError('A user with this email already exists');
}
