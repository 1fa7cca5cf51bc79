import { DEFAULT_PRIORITY, OrderFacts, renderMessage, renderNotification } from './notification-templates';

const order: OrderFacts = { id: 'order-1', patientName: 'Jane Roe', description: 'Blood panel', total: '120.50', currency: 'USD' };

describe('notification templates', () => {
  it('an order creation names the patient, the creator, the order and links to it', () => {
    expect(renderNotification({ type: 'ORDER_CREATED', order, actorName: 'Nora Nurse' })).toEqual({
      type: 'ORDER_CREATED',
      title: 'New order for Jane Roe',
      message: 'Nora Nurse created an order for Jane Roe: Blood panel (total $120.50).',
      priority: 'NORMAL',
      actionUrl: '/orders?order=order-1',
      actionText: 'View order',
      metadata: { orderId: 'order-1' },
    });
  });

  it('a status change says from which status to which, and a cancellation is HIGH priority', () => {
    const confirmed = renderNotification({ type: 'ORDER_STATUS_CHANGED', order, actorName: 'Dan', from: 'PENDING', to: 'CONFIRMED' });
    expect(confirmed.title).toBe('Order confirmed: Jane Roe');
    expect(confirmed.message).toBe('Dan changed the order for Jane Roe from pending to confirmed.');
    expect(confirmed.priority).toBe('NORMAL');
    expect(confirmed.metadata).toEqual({ orderId: 'order-1', from: 'PENDING', to: 'CONFIRMED' });

    const cancelled = renderNotification({ type: 'ORDER_STATUS_CHANGED', order, actorName: 'Dan', from: 'IN_PROGRESS', to: 'CANCELLED' });
    expect(cancelled.message).toBe('Dan changed the order for Jane Roe from in progress to cancelled.');
    expect(cancelled.priority).toBe('HIGH');
  });

  it('a verified payment states the amount', () => {
    const content = renderNotification({ type: 'PAYMENT_VERIFIED', order, actorName: 'Alex' });
    expect(content.title).toBe('Payment verified: Jane Roe');
    expect(content.message).toBe('Alex verified the payment of $120.50 for the order for Jane Roe.');
    expect(content.actionUrl).toBe('/orders?order=order-1');
  });

  it('a long description is cut to one short line', () => {
    const long = { ...order, description: `Line one\n\n${'x'.repeat(200)}` };
    const { message } = renderNotification({ type: 'ORDER_CREATED', order: long, actorName: 'Nora' });
    expect(message).not.toContain('\n');
    expect(message).toContain('…');
    expect(message.length).toBeLessThan(160);
  });

  it('a free-text message keeps its text and takes the type defaults for what it leaves out', () => {
    expect(renderMessage({ type: 'SYSTEM_ALERT', title: 'Maintenance', message: 'Tonight at 22:00' })).toEqual({
      type: 'SYSTEM_ALERT',
      title: 'Maintenance',
      message: 'Tonight at 22:00',
      priority: DEFAULT_PRIORITY.SYSTEM_ALERT,
      actionUrl: null,
      actionText: null,
      metadata: {},
    });
    const linked = renderMessage({ type: 'GENERAL', title: 'T', message: 'M', priority: 'CRITICAL', actionUrl: '/orders' });
    expect(linked).toMatchObject({ priority: 'CRITICAL', actionUrl: '/orders', actionText: 'Open' });
  });
});
