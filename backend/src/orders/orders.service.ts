import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DEFAULT_LANGUAGE, OrderDto, OrderPageDto, OrderStatus, requiresAck } from '@clinic/contracts';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { IdempotencyService, IdempotentResult } from '../common/idempotency.service';
import { AfterCommit, TransactionService, Tx } from '../common/transaction.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { inEveryLanguage, NotificationEvent, renderNotification } from '../notifications/notification-templates';
import { NotificationsService } from '../notifications/notifications.service';
import type { CreateOrderDto } from './order.dto';
import { OrderWithPeople, toOrderDto, toOrderFacts } from './order.mapper';
import { canTransition } from './order-status';
import { OrdersRepository } from './orders.repository';

export const CREATE_ORDER_ROUTE = 'POST /api/orders';

/**
 * Orders and their notifications. Need-to-know: a staff member sees and acts on the orders they
 * created, that are assigned to them, or to one of their teams; any other order does not exist
 * for them (404). Admins see all. Only admins and the creator verify a payment.
 *
 * Each change, its audit entry and the notifications it causes (to the creator, the assignee and
 * the team's members, never to whoever caused it) are written in one transaction and pushed only
 * after it commits.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly repository: OrdersRepository,
    private readonly transactions: TransactionService,
    private readonly idempotency: IdempotencyService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Newest first, of the orders the viewer may see. */
  async list(viewer: AuthUser, cursor: string | undefined, limit: number): Promise<OrderPageDto> {
    if (cursor && !(await this.repository.find(viewer, cursor))) {
      throw new InvalidInputError('cursor must be the nextCursor of a previous page');
    }
    const rows = await this.repository.page(viewer, cursor, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map(toOrderDto), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  async get(viewer: AuthUser, id: string): Promise<OrderDto> {
    return toOrderDto(await this.find(viewer, id));
  }

  create(actor: AuthUser, request: CreateOrderDto, idempotencyKey: string | null): Promise<IdempotentResult<OrderDto>> {
    return this.idempotency.execute<OrderDto>(
      { userId: actor.id, route: CREATE_ORDER_ROUTE, key: idempotencyKey, body: request },
      HttpStatus.CREATED,
      async (tx, afterCommit, remember) => {
        const assigneeId = request.assigneeId ?? null;
        const teamId = request.teamId ?? null;
        if (assigneeId) {
          const state = await this.repository.userState(tx, assigneeId);
          if (state === 'unknown') throw new InvalidInputError('assigneeId does not name an existing user');
          if (state === 'deactivated') throw new InvalidInputError('assigneeId names a deactivated user');
        }
        if (teamId && !(await this.repository.teamExists(tx, teamId))) throw new InvalidInputError('teamId does not name an existing team');
        const order = await this.repository.create(tx, {
          patientName: request.patientName,
          description: request.description,
          total: request.total,
          createdById: actor.id,
          assigneeId,
          teamId,
        });
        const dto = toOrderDto(order);
        await remember(dto);
        await this.audit.record(tx, {
          actorId: actor.id,
          action: 'order.created',
          target: { type: 'order', id: order.id },
          details: { assigneeId, teamId, total: dto.total },
        });
        await this.notify(tx, afterCommit, order, actor, { type: 'ORDER_CREATED', order: toOrderFacts(order, this.config.clinicCurrency), actorName: order.createdBy.name });
        return dto;
      },
    );
  }

  changeStatus(actor: AuthUser, id: string, to: OrderStatus): Promise<OrderDto> {
    return this.transactions.run(async (tx, afterCommit) => {
      const current = await this.find(actor, id, tx);
      if (!canTransition(current.status, to)) {
        throw new ConflictError(`An order that is ${current.status} cannot become ${to}`);
      }
      const order = await this.updateIf(tx, id, { status: current.status }, { status: to });
      await this.audit.record(tx, { actorId: actor.id, action: 'order.status-changed', target: { type: 'order', id }, details: { from: current.status, to } });
      const actorName = await this.nameOf(tx, actor);
      await this.notify(tx, afterCommit, order, actor, { type: 'ORDER_STATUS_CHANGED', order: toOrderFacts(order, this.config.clinicCurrency), actorName, from: current.status, to });
      return toOrderDto(order);
    });
  }

  /** Admins and the order's creator; anyone else who can see the order is refused (403). */
  verifyPayment(actor: AuthUser, id: string): Promise<OrderDto> {
    return this.transactions.run(async (tx, afterCommit) => {
      const current = await this.find(actor, id, tx);
      if (actor.role !== 'ADMIN' && current.createdById !== actor.id) {
        throw new ForbiddenError("Only an admin or the order's creator can verify its payment");
      }
      if (current.paymentStatus === 'PAID') throw new ConflictError('The payment of this order was already verified');
      if (current.status === 'CANCELLED') throw new ConflictError('A cancelled order cannot be paid');
      const order = await this.updateIf(tx, id, { paymentStatus: 'UNPAID', status: { not: 'CANCELLED' } }, { paymentStatus: 'PAID' });
      await this.audit.record(tx, { actorId: actor.id, action: 'order.payment-verified', target: { type: 'order', id }, details: { total: toOrderDto(order).total } });
      const actorName = await this.nameOf(tx, actor);
      await this.notify(tx, afterCommit, order, actor, { type: 'PAYMENT_VERIFIED', order: toOrderFacts(order, this.config.clinicCurrency), actorName });
      return toOrderDto(order);
    });
  }

  /**
   * The notifications of a change, as the transaction's last statement, to everyone concerned but
   * the actor: one send (its receipts at GET /sends/:sendId, for the actor and admins), none when
   * nobody else is concerned. Rendered once per language; each recipient gets theirs.
   */
  private async notify(tx: Tx, afterCommit: AfterCommit, order: OrderWithPeople, actor: AuthUser, event: NotificationEvent): Promise<void> {
    const recipients = await this.repository.recipients(tx, order, actor.id);
    if (recipients.length === 0) return;
    const content = inEveryLanguage((language) => renderNotification(event, language));
    await this.notifications.createInTransaction(tx, afterCommit, {
      recipients,
      content,
      send: {
        id: randomUUID(),
        senderId: actor.id,
        target: { kind: 'order', id: order.id },
        requireAck: requiresAck(content[DEFAULT_LANGUAGE].priority, false),
        escalation: null,
        escalationOf: null,
      },
    });
  }

  /** An order the viewer may not see is indistinguishable from one that does not exist. */
  private async find(viewer: AuthUser, id: string, tx?: Tx): Promise<OrderWithPeople> {
    // An id that cannot be one is not looked up: PostgreSQL refuses some strings, such as one with NUL.
    const order = isUUID(id) ? await this.repository.find(viewer, id, tx) : null;
    if (!order) throw new NotFoundError('Order not found');
    return order;
  }

  /**
   * Applies `data` only if the order still matches `expected`: a concurrent change that got
   * there first (the row lock makes us wait for it) turns this one into a 409, not a lost update.
   */
  private async updateIf(
    tx: Tx,
    id: string,
    expected: { status?: OrderStatus | { not: OrderStatus }; paymentStatus?: 'UNPAID' },
    data: { status?: OrderStatus; paymentStatus?: 'PAID' },
  ): Promise<OrderWithPeople> {
    const order = await this.repository.updateIf(tx, id, expected, data);
    if (!order) throw new ConflictError('The order was changed by someone else meanwhile; reload it and try again');
    return order;
  }

  private async nameOf(tx: Tx, actor: AuthUser): Promise<string> {
    return (await this.repository.nameOf(tx, actor.id)) ?? 'Someone';
  }
}
