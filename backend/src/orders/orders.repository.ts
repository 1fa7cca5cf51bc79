import { Injectable } from '@nestjs/common';
import type { OrderStatus, Role } from '@clinic/contracts';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';
import { ORDER_PEOPLE, OrderWithPeople } from './order.mapper';

/** Whose orders a query may see. */
export interface Viewer {
  id: string;
  role: Role;
}

export interface NewOrder {
  patientName: string;
  description: string;
  total: string;
  createdById: string;
  assigneeId: string | null;
  teamId: string | null;
}

/**
 * Need-to-know: admins see every order; anyone else the orders they created, that are assigned
 * to them, or that are assigned to one of their teams (as the database has their teams now).
 */
export function ordersVisibleTo(viewer: Viewer): Prisma.OrderWhereInput {
  if (viewer.role === 'ADMIN') return {};
  return { OR: [{ createdById: viewer.id }, { assigneeId: viewer.id }, { team: { members: { some: { userId: viewer.id } } } }] };
}

/** Every read and write of orders, each filtered by what its viewer may see. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first, after the order `after` (which the viewer must be able to see). */
  page(viewer: Viewer, after: string | undefined, take: number): Promise<OrderWithPeople[]> {
    return this.prisma.order.findMany({
      where: ordersVisibleTo(viewer),
      include: ORDER_PEOPLE,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
  }

  /** The order if the viewer may see it; null when it does not exist or they may not (the two are not told apart). */
  find(viewer: Viewer, id: string, tx: Tx = this.prisma): Promise<OrderWithPeople | null> {
    return tx.order.findFirst({ where: { id, ...ordersVisibleTo(viewer) }, include: ORDER_PEOPLE });
  }

  create(tx: Tx, order: NewOrder): Promise<OrderWithPeople> {
    return tx.order.create({ data: order, include: ORDER_PEOPLE });
  }

  /** Applies `data` if the order still matches `expected`; the count is 0 when someone changed it first. */
  async updateIf(
    tx: Tx,
    id: string,
    expected: { status?: OrderStatus | { not: OrderStatus }; paymentStatus?: 'UNPAID' },
    data: { status?: OrderStatus; paymentStatus?: 'PAID' },
  ): Promise<OrderWithPeople | null> {
    const { count } = await tx.order.updateMany({ where: { id, ...expected }, data });
    return count === 0 ? null : tx.order.findUniqueOrThrow({ where: { id }, include: ORDER_PEOPLE });
  }

  /**
   * Who hears about a change of the order: its creator, its assignee and its team's members,
   * once each, active ones only, and never `actorId`, who caused it (the REST answer tells them).
   */
  async recipients(tx: Tx, order: OrderWithPeople, actorId: string): Promise<string[]> {
    const people = [order.createdById, order.assigneeId].filter((id): id is string => id !== null);
    const users = await tx.user.findMany({
      where: {
        deactivatedAt: null,
        id: { not: actorId },
        OR: [{ id: { in: people } }, ...(order.teamId ? [{ teams: { some: { teamId: order.teamId } } }] : [])],
      },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return users.map((user) => user.id);
  }

  /** 'active', 'deactivated' or 'unknown'. */
  async userState(tx: Tx, id: string): Promise<'active' | 'deactivated' | 'unknown'> {
    const user = await tx.user.findUnique({ where: { id }, select: { deactivatedAt: true } });
    return !user ? 'unknown' : user.deactivatedAt ? 'deactivated' : 'active';
  }

  async teamExists(tx: Tx, id: string): Promise<boolean> {
    return (await tx.team.count({ where: { id } })) > 0;
  }

  async nameOf(tx: Tx, userId: string): Promise<string | null> {
    return (await tx.user.findUnique({ where: { id: userId }, select: { name: true } }))?.name ?? null;
  }
}
