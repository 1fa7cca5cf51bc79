import { BadRequestException, ConflictException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { OrderDto, OrderPageDto, OrderStatus } from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { IdempotencyService, IdempotentResult } from '../common/idempotency.service';
import { TransactionService, Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import { renderNotification } from '../notifications/notification-templates';
import { NotificationsService } from '../notifications/notifications.service';
import type { CreateOrderDto } from './order.dto';
import { ORDER_PEOPLE, OrderWithPeople, orderRecipients, toOrderDto, toOrderFacts } from './order.mapper';
import { canTransition } from './order-status';

export const CREATE_ORDER_ROUTE = 'POST /api/orders';

/**
 * Orders and their notifications: each change and the notifications it causes (to the creator
 * and the assignee) are written in one transaction and pushed only after it commits.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: TransactionService,
    private readonly idempotency: IdempotencyService,
    private readonly notifications: NotificationsService,
  ) {}

  /** Newest first. */
  async list(cursor: string | undefined, limit: number): Promise<OrderPageDto> {
    if (cursor && !(await this.prisma.order.findUnique({ where: { id: cursor }, select: { id: true } }))) {
      throw new BadRequestException('cursor must be the nextCursor of a previous page');
    }
    const rows = await this.prisma.order.findMany({
      include: ORDER_PEOPLE,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    const page = rows.slice(0, limit);
    return { items: page.map(toOrderDto), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  create(actor: AuthUser, request: CreateOrderDto, idempotencyKey: string | null): Promise<IdempotentResult<OrderDto>> {
    return this.idempotency.execute<OrderDto>(
      { userId: actor.id, route: CREATE_ORDER_ROUTE, key: idempotencyKey, body: request },
      HttpStatus.CREATED,
      async (tx, afterCommit, remember) => {
        const assigneeId = request.assigneeId ?? null;
        if (assigneeId && !(await tx.user.findUnique({ where: { id: assigneeId }, select: { id: true } }))) {
          throw new BadRequestException('assigneeId does not name an existing user');
        }
        const order = await tx.order.create({
          data: { patientName: request.patientName, description: request.description, total: request.total, createdById: actor.id, assigneeId },
          include: ORDER_PEOPLE,
        });
        const dto = toOrderDto(order);
        await remember(dto);
        await this.notifications.createInTransaction(
          tx,
          afterCommit,
          orderRecipients(order),
          renderNotification({ type: 'ORDER_CREATED', order: toOrderFacts(order), actorName: order.createdBy.name }),
        );
        return dto;
      },
    );
  }

  changeStatus(actor: AuthUser, id: string, to: OrderStatus): Promise<OrderDto> {
    return this.transactions.run(async (tx, afterCommit) => {
      const current = await this.find(tx, id);
      if (!canTransition(current.status, to)) {
        throw new ConflictException(`An order that is ${current.status} cannot become ${to}`);
      }
      const order = await this.updateIf(tx, id, { status: current.status }, { status: to });
      const actorName = await this.nameOf(tx, actor);
      await this.notifications.createInTransaction(
        tx,
        afterCommit,
        orderRecipients(order),
        renderNotification({ type: 'ORDER_STATUS_CHANGED', order: toOrderFacts(order), actorName, from: current.status, to }),
      );
      return toOrderDto(order);
    });
  }

  verifyPayment(actor: AuthUser, id: string): Promise<OrderDto> {
    return this.transactions.run(async (tx, afterCommit) => {
      const current = await this.find(tx, id);
      if (current.paymentStatus === 'PAID') throw new ConflictException('The payment of this order was already verified');
      if (current.status === 'CANCELLED') throw new ConflictException('A cancelled order cannot be paid');
      const order = await this.updateIf(tx, id, { paymentStatus: 'UNPAID', status: { not: 'CANCELLED' } }, { paymentStatus: 'PAID' });
      const actorName = await this.nameOf(tx, actor);
      await this.notifications.createInTransaction(
        tx,
        afterCommit,
        orderRecipients(order),
        renderNotification({ type: 'PAYMENT_VERIFIED', order: toOrderFacts(order), actorName }),
      );
      return toOrderDto(order);
    });
  }

  private async find(tx: Tx, id: string): Promise<OrderWithPeople> {
    // An id that cannot be one is not looked up: PostgreSQL refuses some strings, such as one with NUL.
    const order = isUUID(id) ? await tx.order.findUnique({ where: { id }, include: ORDER_PEOPLE }) : null;
    if (!order) throw new NotFoundException('Order not found');
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
    const { count } = await tx.order.updateMany({ where: { id, ...expected }, data });
    if (count === 0) throw new ConflictException('The order was changed by someone else meanwhile; reload it and try again');
    return tx.order.findUniqueOrThrow({ where: { id }, include: ORDER_PEOPLE });
  }

  private async nameOf(tx: Tx, actor: AuthUser): Promise<string> {
    const user = await tx.user.findUnique({ where: { id: actor.id }, select: { name: true } });
    return user?.name ?? 'Someone';
  }
}
