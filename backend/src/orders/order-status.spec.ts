import { ORDER_STATUSES, OrderStatus } from '@clinic/contracts';
import { canTransition } from './order-status';

describe('order status transitions', () => {
  const allowed: Array<[OrderStatus, OrderStatus]> = [
    ['PENDING', 'CONFIRMED'],
    ['PENDING', 'CANCELLED'],
    ['CONFIRMED', 'IN_PROGRESS'],
    ['CONFIRMED', 'CANCELLED'],
    ['IN_PROGRESS', 'COMPLETED'],
    ['IN_PROGRESS', 'CANCELLED'],
  ];

  it('allows exactly the forward steps and cancelling an unfinished order', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const expected = allowed.some(([a, b]) => a === from && b === to);
        expect({ from, to, allowed: canTransition(from, to) }).toEqual({ from, to, allowed: expected });
      }
    }
  });

  it('never leaves a completed or cancelled order, nor skips or goes back a step', () => {
    expect(ORDER_STATUSES.some((to) => canTransition('COMPLETED', to) || canTransition('CANCELLED', to))).toBe(false);
    expect(canTransition('PENDING', 'IN_PROGRESS')).toBe(false);
    expect(canTransition('IN_PROGRESS', 'CONFIRMED')).toBe(false);
    expect(canTransition('PENDING', 'PENDING')).toBe(false);
  });
});
