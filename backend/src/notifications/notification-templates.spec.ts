import { DEFAULT_PRIORITY, EscalationFacts, inEveryLanguage, OrderFacts, renderEscalation, renderMessage, renderNotification } from './notification-templates';

const order: OrderFacts = { id: 'order-1', patientName: 'Jane Roe', description: 'Blood panel', total: '120.50', currency: 'USD' };

const escalation: EscalationFacts = { sendId: 'send-1', title: 'Insulin for room 12', sentTo: 'Ward 3', waitedSeconds: 300, step: 1, maxSteps: 3 };

describe('notification templates', () => {
  it('an order creation names the patient, the creator, the order and links to it', () => {
    expect(renderNotification({ type: 'ORDER_CREATED', order, actorName: 'Nora Nurse' }, 'en')).toEqual({
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
    const confirmed = renderNotification({ type: 'ORDER_STATUS_CHANGED', order, actorName: 'Dan', from: 'PENDING', to: 'CONFIRMED' }, 'en');
    expect(confirmed.title).toBe('Order confirmed: Jane Roe');
    expect(confirmed.message).toBe('Dan changed the order for Jane Roe from pending to confirmed.');
    expect(confirmed.priority).toBe('NORMAL');
    expect(confirmed.metadata).toEqual({ orderId: 'order-1', from: 'PENDING', to: 'CONFIRMED' });

    const cancelled = renderNotification({ type: 'ORDER_STATUS_CHANGED', order, actorName: 'Dan', from: 'IN_PROGRESS', to: 'CANCELLED' }, 'en');
    expect(cancelled.message).toBe('Dan changed the order for Jane Roe from in progress to cancelled.');
    expect(cancelled.priority).toBe('HIGH');
  });

  it('a verified payment states the amount', () => {
    const content = renderNotification({ type: 'PAYMENT_VERIFIED', order, actorName: 'Alex' }, 'en');
    expect(content.title).toBe('Payment verified: Jane Roe');
    expect(content.message).toBe('Alex verified the payment of $120.50 for the order for Jane Roe.');
    expect(content.actionUrl).toBe('/orders?order=order-1');
  });

  it('a long description is cut to one short line', () => {
    const long = { ...order, description: `Line one\n\n${'x'.repeat(200)}` };
    const { message } = renderNotification({ type: 'ORDER_CREATED', order: long, actorName: 'Nora' }, 'en');
    expect(message).not.toContain('\n');
    expect(message).toContain('…');
    expect(message.length).toBeLessThan(160);
  });

  it('a free-text message keeps its text and takes the type defaults for what it leaves out', () => {
    expect(renderMessage({ type: 'SYSTEM_ALERT', title: 'Maintenance', message: 'Tonight at 22:00' }, 'en')).toEqual({
      type: 'SYSTEM_ALERT',
      title: 'Maintenance',
      message: 'Tonight at 22:00',
      priority: DEFAULT_PRIORITY.SYSTEM_ALERT,
      actionUrl: null,
      actionText: null,
      metadata: {},
    });
    const linked = renderMessage({ type: 'GENERAL', title: 'T', message: 'M', priority: 'CRITICAL', actionUrl: '/orders' }, 'en');
    expect(linked).toMatchObject({ priority: 'CRITICAL', actionUrl: '/orders', actionText: 'Open' });
  });

  it('an escalation names the send, its target and how long it waited, and links to its receipts', () => {
    expect(renderEscalation(escalation, 'en')).toEqual({
      type: 'ESCALATION',
      title: 'Not acknowledged: Insulin for room 12',
      message: 'Nobody has acknowledged "Insulin for room 12" (sent to Ward 3) for 5 minutes. Escalation 1 of 3.',
      priority: 'CRITICAL',
      actionUrl: '/sends/send-1',
      actionText: 'View receipts',
      metadata: { escalationOf: 'send-1', step: 1 },
    });
  });

  describe('in Spanish', () => {
    it('an order creation, with the amount as Spanish writes it (a no-break space before the currency)', () => {
      expect(renderNotification({ type: 'ORDER_CREATED', order, actorName: 'Nora Nurse' }, 'es')).toEqual({
        type: 'ORDER_CREATED',
        title: 'Nuevo pedido para Jane Roe',
        message: 'Nora Nurse creó un pedido para Jane Roe: Blood panel (total 120,50\u00a0US$).',
        priority: 'NORMAL',
        actionUrl: '/orders?order=order-1',
        actionText: 'Ver pedido',
        metadata: { orderId: 'order-1' },
      });
      const inEuros = renderNotification({ type: 'ORDER_CREATED', order: { ...order, total: '1234.50', currency: 'EUR' }, actorName: 'Nora' }, 'es');
      expect(inEuros.message).toBe('Nora creó un pedido para Jane Roe: Blood panel (total 1234,50\u00a0€).');
    });

    it('a status change names both statuses in Spanish; the metadata stays the same', () => {
      const confirmed = renderNotification({ type: 'ORDER_STATUS_CHANGED', order, actorName: 'Dan', from: 'PENDING', to: 'CONFIRMED' }, 'es');
      expect(confirmed.title).toBe('Pedido confirmado: Jane Roe');
      expect(confirmed.message).toBe('Dan cambió el pedido de Jane Roe de pendiente a confirmado.');
      expect(confirmed.metadata).toEqual({ orderId: 'order-1', from: 'PENDING', to: 'CONFIRMED' });
      const cancelled = renderNotification({ type: 'ORDER_STATUS_CHANGED', order, actorName: 'Dan', from: 'IN_PROGRESS', to: 'CANCELLED' }, 'es');
      expect(cancelled.message).toBe('Dan cambió el pedido de Jane Roe de en curso a cancelado.');
      expect(cancelled.priority).toBe('HIGH');
      const completed = renderNotification({ type: 'ORDER_STATUS_CHANGED', order, actorName: 'Dan', from: 'IN_PROGRESS', to: 'COMPLETED' }, 'es');
      expect(completed.title).toBe('Pedido completado: Jane Roe');
    });

    it('a verified payment', () => {
      const content = renderNotification({ type: 'PAYMENT_VERIFIED', order, actorName: 'Alex' }, 'es');
      expect(content.title).toBe('Pago verificado: Jane Roe');
      expect(content.message).toBe('Alex verificó el pago de 120,50\u00a0US$ del pedido de Jane Roe.');
      expect(content.actionText).toBe('Ver pedido');
    });

    it('an escalation', () => {
      const content = renderEscalation({ ...escalation, sentTo: 'Todo el personal', waitedSeconds: 90, step: 2 }, 'es');
      expect(content.title).toBe('Sin confirmar: Insulin for room 12');
      expect(content.message).toBe(
        'Nadie ha confirmado la recepción de «Insulin for room 12» (enviado a Todo el personal) desde hace 90 segundos. Escalado 2 de 3.',
      );
      expect(content.actionText).toBe('Ver confirmaciones');
      expect(renderEscalation({ ...escalation, waitedSeconds: 3 * 3600 }, 'es').message).toContain('desde hace 3 horas.');
      expect(renderEscalation({ ...escalation, waitedSeconds: 1 }, 'es').message).toContain('desde hace 1 segundo.');
      expect(renderEscalation({ ...escalation, waitedSeconds: 1 }, 'en').message).toContain('for 1 second.');
    });

    it("a free-text message keeps the admin's words; only the default link label is Spanish", () => {
      const linked = renderMessage({ type: 'GENERAL', title: 'Maintenance', message: 'Tonight', actionUrl: '/orders' }, 'es');
      expect(linked).toMatchObject({ title: 'Maintenance', message: 'Tonight', actionText: 'Abrir' });
      expect(renderMessage({ type: 'GENERAL', title: 'T', message: 'M', actionUrl: '/orders', actionText: 'See it' }, 'es').actionText).toBe('See it');
    });
  });

  it('an event is rendered once in every language', () => {
    const content = inEveryLanguage((language) => renderNotification({ type: 'PAYMENT_VERIFIED', order, actorName: 'Alex' }, language));
    expect(Object.keys(content).sort()).toEqual(['en', 'es']);
    expect(content.en.title).toBe('Payment verified: Jane Roe');
    expect(content.es.title).toBe('Pago verificado: Jane Roe');
  });
});
