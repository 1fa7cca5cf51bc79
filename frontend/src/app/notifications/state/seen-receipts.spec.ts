import { HttpTestingController } from '@angular/common/http/testing';
import { ClientEvent, MAX_SEEN_BATCH, NotificationDto } from '@clinic/contracts';

import { FakeSocket, notification } from '../../../testing/fake-socket';
import { NotificationSession } from '../../../testing/notification-session';
import { NOTIFICATIONS_URL } from '../../core/api-paths';
import { NotificationService } from './notification-service';
import { SEEN_BATCH_INTERVAL_MS } from './seen-receipts';

describe('seen receipts', () => {
  const session = new NotificationSession();
  let http: HttpTestingController;
  let visibility: DocumentVisibilityState;

  beforeEach(() => {
    vi.useFakeTimers();
    visibility = 'visible';
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
    session.configure();
    http = session.http;
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** Signs in with an empty inbox and a connected socket that takes every `notification:seen`. */
  function start(): { service: NotificationService; socket: FakeSocket } {
    const started = session.start();
    started.socket.acks.set(ClientEvent.Seen, { ok: true, updated: 1 });
    return started;
  }

  const batches = (socket: FakeSocket) =>
    socket.sent.filter(({ event }) => event === ClientEvent.Seen).map(({ args }) => (args[0] as { ids: string[] }).ids);
  const ids = (items: NotificationDto[]) => items.map((item) => item.id);

  it('sends what was shown within half a second as one batch over the socket', async () => {
    const { service, socket } = start();
    const shown = [notification(), notification(), notification()];

    for (const item of shown) service.reportSeen(item);
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS - 1);
    expect(batches(socket)).toEqual([]);

    await vi.advanceTimersByTimeAsync(1);
    expect(batches(socket)).toEqual([ids(shown)]);
  });

  it('reports each notification once for the life of the page, however often it is shown', async () => {
    const { service, socket } = start();
    const item = notification();

    service.reportSeen(item);
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS);
    service.reportSeen(item);
    service.reportSeen({ ...item });
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS * 4);

    expect(batches(socket)).toEqual([[item.id]]);
  });

  it('leaves out a notification the server already has as seen', async () => {
    const { service, socket } = start();

    service.reportSeen(notification({ seenAt: '2025-01-02T00:00:00.000Z' }));
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS * 2);

    expect(batches(socket)).toEqual([]);
  });

  it('sends at most MAX_SEEN_BATCH ids at once, and the rest half a second later', async () => {
    const { service, socket } = start();
    const shown = Array.from({ length: MAX_SEEN_BATCH + 20 }, () => notification());

    for (const item of shown) service.reportSeen(item);
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS);
    expect(batches(socket)).toEqual([ids(shown.slice(0, MAX_SEEN_BATCH))]);

    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS);
    expect(batches(socket)).toEqual([ids(shown.slice(0, MAX_SEEN_BATCH)), ids(shown.slice(MAX_SEEN_BATCH))]);
  });

  it('counts nothing shown in a background tab until the tab is visible again', async () => {
    const { service, socket } = start();
    const item = notification();
    visibility = 'hidden';

    service.reportSeen(item);
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS * 10);
    expect(batches(socket)).toEqual([]);

    visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS);
    expect(batches(socket)).toEqual([[item.id]]);
  });

  it('goes through REST while the socket is down', async () => {
    const { service, socket } = start();
    const item = notification();
    socket.drop();

    service.reportSeen(item);
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS);

    const request = http.expectOne({ method: 'POST', url: `${NOTIFICATIONS_URL}/seen` });
    expect(request.request.body).toEqual({ ids: [item.id] });
    request.flush({ updated: 1 });
    expect(batches(socket)).toEqual([]);
  });

  it('reports again, the next time it is shown, what the server did not take', async () => {
    const { service, socket } = start();
    const item = notification();
    socket.drop();
    service.reportSeen(item);
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS);
    http.expectOne(`${NOTIFICATIONS_URL}/seen`).flush(null, { status: 503, statusText: 'Unavailable' });
    await vi.advanceTimersByTimeAsync(0);

    service.reportSeen(item);
    await vi.advanceTimersByTimeAsync(SEEN_BATCH_INTERVAL_MS);

    expect(http.expectOne(`${NOTIFICATIONS_URL}/seen`).request.body).toEqual({ ids: [item.id] });
  });
});
