// NotificationService and the alerts that cannot be missed: acknowledging (here or on another
// device), the receipts the app sends back, and how such alerts are announced.
import { TestBed } from '@angular/core/testing';
import { ClientEvent, NotificationDto, SendUpdatedPayload, ServerEvent } from '@clinic/contracts';

import { notification } from '../../../testing/fake-socket';
import { NotificationSession, pushNew, valueOf } from '../../../testing/notification-session';
import { NOTIFICATIONS_URL } from '../../core/api-paths';
import { AlertSound } from '../alerts/alert-sound';
import { ToastService } from '../alerts/toast-service';

const ACKNOWLEDGED_AT = '2025-01-02T00:00:00.000Z';

describe('alerts that must be acknowledged', () => {
  const session = new NotificationSession();

  beforeEach(() => {
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('visible');
    session.configure();
  });

  afterEach(() => vi.restoreAllMocks());

  const critical = (overrides: Partial<NotificationDto> = {}) =>
    notification({ title: 'Vaccine fridge at 9 °C', priority: 'CRITICAL', requireAck: true, ...overrides });
  const toastTitles = () => valueOf(TestBed.inject(ToastService).toasts$).map((toast) => toast.title);
  const settle = () => new Promise((resolve) => setTimeout(resolve));

  it('acknowledges over the socket: at once acknowledged, read and off the screen', async () => {
    const { service, socket } = session.start();
    const alert = critical();
    pushNew(socket, alert);
    await vi.waitFor(() => expect(toastTitles()).toEqual([alert.title]));
    socket.acks.set(ClientEvent.Ack, { ok: true, notification: { ...alert, readAt: ACKNOWLEDGED_AT, acknowledgedAt: ACKNOWLEDGED_AT, version: 1 } });

    const done = service.acknowledge(alert.id);
    const [shown] = valueOf(service.notifications$);
    expect(shown.acknowledgedAt).not.toBeNull();
    expect(shown.readAt).not.toBeNull();
    expect(valueOf(service.unreadCount$)).toBe(0);
    expect(toastTitles()).toEqual([]);
    await done;

    expect(socket.sent.filter(({ event }) => event === ClientEvent.Ack)).toEqual([{ event: ClientEvent.Ack, args: [{ id: alert.id }] }]);
    expect(valueOf(service.notifications$)[0].acknowledgedAt).toBe(ACKNOWLEDGED_AT);
  });

  it('acknowledges through REST while the socket is down', async () => {
    const alert = critical();
    const { service, socket } = session.start([alert]);
    socket.drop();

    const done = service.acknowledge(alert.id);
    const request = session.http.expectOne({ method: 'POST', url: `${NOTIFICATIONS_URL}/${alert.id}/ack` });
    request.flush({ ...alert, readAt: ACKNOWLEDGED_AT, acknowledgedAt: ACKNOWLEDGED_AT, version: 1 });
    await done;

    expect(valueOf(service.notifications$)[0].acknowledgedAt).toBe(ACKNOWLEDGED_AT);
  });

  it('puts the alert back on screen, unacknowledged, when the server refuses the acknowledgement', async () => {
    const { service, socket } = session.start();
    const alert = critical();
    pushNew(socket, alert);
    await vi.waitFor(() => expect(toastTitles()).toEqual([alert.title]));
    socket.acks.set(ClientEvent.Ack, { ok: false, error: 'server-error' });

    await service.acknowledge(alert.id);

    expect(valueOf(service.notifications$)[0]).toMatchObject({ acknowledgedAt: null, readAt: null });
    expect(valueOf(service.unreadCount$)).toBe(1);
    expect(toastTitles()).toEqual([alert.title, 'Something went wrong']);
  });

  it('takes the toast away at once when another device of the user acknowledges it', async () => {
    const { service, socket } = session.start();
    const alert = critical();
    pushNew(socket, alert);
    await vi.waitFor(() => expect(toastTitles()).toEqual([alert.title]));

    socket.push(ServerEvent.Updated, { ...alert, readAt: ACKNOWLEDGED_AT, acknowledgedAt: ACKNOWLEDGED_AT, version: 1 });

    expect(toastTitles()).toEqual([]);
    expect(valueOf(service.notifications$)[0].acknowledgedAt).toBe(ACKNOWLEDGED_AT);
  });

  it('keeps the toast of an alert that was only read, here or elsewhere: reading is not acknowledging', async () => {
    const { service, socket } = session.start();
    const alert = critical();
    pushNew(socket, alert);
    await vi.waitFor(() => expect(toastTitles()).toEqual([alert.title]));
    socket.acks.set(ClientEvent.MarkRead, { ok: true, notification: { ...alert, readAt: ACKNOWLEDGED_AT, version: 1 } });

    await service.markAsRead(alert.id);
    socket.push(ServerEvent.Updated, { ...alert, readAt: ACKNOWLEDGED_AT, version: 1 });
    await service.markAllAsRead();

    expect(toastTitles()).toEqual([alert.title]);
  });

  it('never folds an alert that awaits acknowledgement into the summary of a backlog', async () => {
    const { socket } = session.start();
    socket.drop();
    socket.acceptConnection();
    const alert = critical();
    const backlog = [...Array.from({ length: 4 }, () => notification()), alert];

    for (const item of backlog) pushNew(socket, item);
    session.answerRefetch([...backlog].reverse());

    await vi.waitFor(() => expect(toastTitles()).toEqual(['4 new notifications', alert.title]));
  });

  it('plays the sound of a high or critical notification, and none for a muted one', async () => {
    const play = vi.spyOn(TestBed.inject(AlertSound), 'play');
    const { socket } = session.start();

    pushNew(socket, critical());
    pushNew(socket, notification({ priority: 'HIGH' }), { muted: true });
    await settle();

    expect(play.mock.calls).toEqual([['CRITICAL']]);
  });

  it('confirms each notification that arrives, muted or not, without waiting for an answer', () => {
    const { socket } = session.start();
    const shown = notification();
    const muted = notification();
    const confirmedBefore = notification({ deliveredAt: ACKNOWLEDGED_AT });

    pushNew(socket, shown);
    pushNew(socket, muted, { muted: true });
    pushNew(socket, confirmedBefore);

    expect(socket.emitted).toEqual([
      { event: ClientEvent.Delivered, args: [{ id: shown.id }] },
      { event: ClientEvent.Delivered, args: [{ id: muted.id }] },
    ]);
  });

  it('passes on the receipt counts of sends to the pages that watch them', () => {
    const { service, socket } = session.start();
    const updates: SendUpdatedPayload[] = [];
    service.sendUpdates$.subscribe((update) => updates.push(update));
    const update: SendUpdatedPayload = { sendId: 's-1', counts: { recipients: 3, delivered: 2, seen: 1, read: 1, acknowledged: 0 } };

    socket.push(ServerEvent.SendUpdated, update);

    expect(updates).toEqual([update]);
  });
});
