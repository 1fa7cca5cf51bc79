import { Injectable } from '@nestjs/common';
import type { TeamDetailDto, TeamDto } from '@clinic/contracts';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { ConflictError, NotFoundError } from '../common/domain-errors';
import { isUniqueViolation } from '../common/prisma-errors';
import { AfterCommit, TransactionService, Tx } from '../common/transaction.service';
import { SessionsService } from '../sessions/sessions.service';
import { toTeamDetailDto, toTeamDto } from './team.mapper';
import { TeamsRepository } from './teams.repository';

/**
 * Teams and their members. Every change is one transaction with its audit entry. Whoever joins
 * or leaves a team (also by the team's deletion) has their open sockets moved into or out of
 * `team:{id}` on every node: the TeamMember trigger tells every node on commit, and this node is
 * told at once.
 */
@Injectable()
export class TeamsService {
  constructor(
    private readonly repository: TeamsRepository,
    private readonly transactions: TransactionService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** Every team, for everyone: an order or a send may be addressed to any of them. */
  async list(viewer: AuthUser): Promise<TeamDto[]> {
    return (await this.repository.list(viewer.id)).map(toTeamDto);
  }

  /** With its members: for admins and the team's own members; to anyone else it does not exist. */
  async get(viewer: AuthUser, id: string): Promise<TeamDetailDto> {
    if (viewer.role !== 'ADMIN' && !(await this.repository.isMember(id, viewer.id))) throw notFound();
    return this.detail(undefined, id, viewer.id);
  }

  create(actor: AuthUser, name: string, userIds: readonly string[]): Promise<TeamDetailDto> {
    const trimmed = name.trim();
    return this.named(() =>
      this.transactions.run(async (tx, afterCommit) => {
        if (await this.repository.nameTaken(tx, trimmed)) throw nameTaken();
        await this.assertUsersExist(tx, userIds);
        const team = await this.repository.create(tx, trimmed);
        const { added } = await this.repository.setMembers(tx, team.id, userIds);
        this.moveSockets(afterCommit, added);
        await this.audit.record(tx, { actorId: actor.id, action: 'team.created', target: { type: 'team', id: team.id }, details: { name: trimmed, userIds: added } });
        return this.detail(tx, team.id, actor.id);
      }),
    );
  }

  rename(actor: AuthUser, id: string, name: string): Promise<TeamDetailDto> {
    const trimmed = name.trim();
    return this.named(() =>
      this.transactions.run(async (tx) => {
        const before = await this.existing(tx, id, actor.id);
        if (before.name !== trimmed) {
          if (await this.repository.nameTaken(tx, trimmed, id)) throw nameTaken();
          await this.repository.rename(tx, id, trimmed);
          await this.audit.record(tx, { actorId: actor.id, action: 'team.renamed', target: { type: 'team', id }, details: { from: before.name, to: trimmed } });
        }
        return this.detail(tx, id, actor.id);
      }),
    );
  }

  /** Its members leave its room; its orders keep their creator and assignee and lose the team. */
  async remove(actor: AuthUser, id: string): Promise<void> {
    await this.transactions.run(async (tx, afterCommit) => {
      const before = await this.existing(tx, id, actor.id);
      const { memberIds, ordersUnassigned } = await this.repository.delete(tx, id);
      this.moveSockets(afterCommit, memberIds);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'team.deleted',
        target: { type: 'team', id },
        details: { name: before.name, memberIds, ordersUnassigned },
      });
    });
  }

  /** The complete member list: who is added joins the room at once, who is removed leaves it. */
  setMembers(actor: AuthUser, id: string, userIds: readonly string[]): Promise<TeamDetailDto> {
    return this.transactions.run(async (tx, afterCommit) => {
      await this.existing(tx, id, actor.id);
      await this.assertUsersExist(tx, userIds);
      const change = await this.repository.setMembers(tx, id, userIds);
      if (change.added.length || change.removed.length) {
        this.moveSockets(afterCommit, [...change.added, ...change.removed]);
        await this.audit.record(tx, { actorId: actor.id, action: 'team.members-changed', target: { type: 'team', id }, details: { ...change } });
      }
      return this.detail(tx, id, actor.id);
    });
  }

  /** The team, locked for the rest of the transaction, or 404. */
  private async existing(tx: Tx, id: string, viewerId: string) {
    if (!(await this.repository.lock(tx, id))) throw notFound();
    return (await this.repository.find(id, viewerId, tx))!;
  }

  private async detail(tx: Tx | undefined, id: string, viewerId: string): Promise<TeamDetailDto> {
    const team = await this.repository.find(id, viewerId, tx);
    if (!team) throw notFound();
    return toTeamDetailDto(team);
  }

  private async assertUsersExist(tx: Tx, userIds: readonly string[]): Promise<void> {
    const [unknown] = await this.repository.unknownUsers(tx, userIds);
    if (unknown) throw new NotFoundError(`User not found: ${unknown}`);
  }

  /** This node moves their sockets at once; the other nodes hear of it from the trigger. */
  private moveSockets(afterCommit: AfterCommit, userIds: readonly string[]): void {
    if (userIds.length) afterCommit(() => userIds.forEach((userId) => this.sessions.changes.announceUserChanged(userId)));
  }

  /** Two admins giving two teams one name at once: the unique index decides. */
  private async named<T>(change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken();
      throw error;
    }
  }
}

function notFound(): NotFoundError {
  return new NotFoundError('Team not found');
}

function nameTaken(): ConflictError {
  return new ConflictError('A team with this name already exists');
}
