import { ORDER_TRANSITIONS, OrderStatus } from '@clinic/contracts';

/** Whether an order in status `from` may move to `to` (the same status is not a transition). */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}
