import type { OrderDto } from '@clinic/contracts';
import type { Order, Team, User } from '../generated/prisma/client';
import type { OrderFacts } from '../notifications/notification-templates';

type Person = Pick<User, 'id' | 'name'>;
export type OrderWithPeople = Order & { createdBy: Person; assignee: Person | null; team: Pick<Team, 'id' | 'name'> | null };

/** Loads what an OrderDto shows about the people and the team involved. */
export const ORDER_PEOPLE = {
  createdBy: { select: { id: true, name: true } },
  assignee: { select: { id: true, name: true } },
  team: { select: { id: true, name: true } },
} as const;

export function toOrderDto(order: OrderWithPeople): OrderDto {
  return {
    id: order.id,
    patientName: order.patientName,
    description: order.description,
    total: order.total.toFixed(2),
    status: order.status,
    paymentStatus: order.paymentStatus,
    createdBy: { id: order.createdBy.id, name: order.createdBy.name },
    assignee: order.assignee ? { id: order.assignee.id, name: order.assignee.name } : null,
    team: order.team ? { id: order.team.id, name: order.team.name } : null,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export function toOrderFacts(order: Order, currency: string): OrderFacts {
  return { id: order.id, patientName: order.patientName, description: order.description, total: order.total.toFixed(2), currency };
}
