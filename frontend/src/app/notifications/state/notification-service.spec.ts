// NotificationService through its public face, with a fake socket and HTTP backend: the store,
// the connection and the commands behind it are specified together, as users meet them, so this
// file runs over 400 lines.
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { ClientEvent, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, NotificationDto, ServerEvent, SocketError } from '@clinic/contracts';
import { Observable } from 'rxjs';

import { signIn, tokenResponse } from '../../../testing/auth-fixtures';
import { FakeSocket, notification, provideFakeSockets } from '../../../testing/fake-socket';
import { AUTH_API, NOTIFICATIONS_URL } from '../../core/api-paths';
import { AuthService } from '../../core/auth-service';
import { ToastService } from '../alerts/toast-service';
import { NOTIFICATION_POLL_INTERVAL_MS } from './notification-connection';
import { NotificationService } from './notification-service';
import { ConnectionState } from './notification-store';
import { UndoService } from './undo';

const POLL_MS = 60_000;

/**
 * The server pushing a new notification. Its `prevSeq` defaults to the seq just before it, as when
 * every notification made by the test belongs to this user.
 */
function pushNew(socket: FakeSocket, item: NotificationDto, options: { muted?: boolean; prevSeq?: string } = {}): void {
  socket.push(ServerEvent.New, { ...item, muted: options.muted ?? false, prevSeq: options.prevSeq ?? String(BigInt(item.seq) - 1n) });
}

function valueOf<T>(source: Observable<T>): T {
  let value!: T;
  source.subscribe((next) => (value = next)).unsubscribe();
  return value;
}

describe('NotificationService', () => {
  let http: HttpTestingController;
  let sockets: FakeSocket[];

  beforeEach(() => {
    localStorage.clear();
    const fakes = provideFakeSockets();
    sockets = fakes.sockets;
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        fakes.provider,
        { provide: NOTIFICATION_POLL_INTERVAL_MS, useValue: POLL_MS },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    signIn(1);
  });

  afterEach(() => vi.useRealTimers());

  const listRequest = (): TestRequest => http.expectOne((request) => request.url === NOTIFICATIONS_URL);
  const countRequest = (): TestRequest => http.expectOne(`${NOTIFICATIONS_URL}/unread-count`);

  /** The server's answer to "list + count". */
  function answerRefetch(items: NotificationDto[], count = items.filter((item) => !item.readAt).length, nextCursor: string | null = null): void {
    listRequest().flush({ items, nextCursor });
    countRequest().flush({ count });
  }

  /** The preferences and settings the service loads when a session starts: nothing changed. */
  function answerPreferences(): void {
    http.expectOne(`${NOTIFICATIONS_URL}/preferences`).flush([]);
    http.expectOne(`${NOTIFICATIONS_URL}/settings`).flush({ timeZone: 'UTC', quietHours: null, digestTime: null, hideDetails: false, phone: null });
  }

  /** Signs in (already done by signIn), loads the first page and opens the socket. */
  function start(items: NotificationDto[] = [], options: { connect?: boolean; nextCursor?: string | null } = {}) {
    const service = TestBed.inject(NotificationService);
    TestBed.tick();
    answerPreferences();
    answerRefetch(items, undefined, options.nextCursor ?? null);
    const socket = sockets[0];
    if (options.connect ?? true) socket.acceptConnection();
    return { service, socket };
  }

  const list = (service: NotificationService) => valueOf(service.notifications$);
  const titles = (service: NotificationService) => list(service).map((item) => item.title);
  const count = (service: NotificationService) => valueOf(service.unreadCount$);
  const state = (service: NotificationService): ConnectionState => valueOf(service.connectionState$);
  const toastTitles = () => valueOf(TestBed.inject(ToastService).toasts$).map((toast) => toast.title);
  const settle = () => new Promise((resolve) => setTimeout(resolve));

  describe('live events', () => {
    it('loads the newest page and the count, then connects with the token and the highest seq seen', () => {
      const older = notification({ title: 'Older' });
      const newer = notification({ title: 'Newer' });
      const { service, socket } = start([newer, older], { connect: false });

      expect(titles(service)).toEqual(['Newer', 'Older']);
      expect(count(service)).toBe(2);
      expect(state(service)).toBe('reconnecting');
      expect(socket.connectCalls).toBe(1);
      expect(socket.handshake()).toEqual({ token: 'access-1', lastSeq: newer.seq });

      socket.acceptConnection();
      expect(state(service)).toBe('connected');
    });

    it('lists a pushed notification first, takes the count from the server, and shows a toast', async () => {
      const { service, socket } = start([notification({ title: 'Earlier' })]);
      const pushed = notification({ title: 'Lab results ready' });

      pushNew(socket, pushed);
      socket.push(ServerEvent.UnreadCount, { count: 2 });

      expect(titles(service)).toEqual(['Lab results ready', 'Earlier']);
      expect(count(service)).toBe(2);
      await vi.waitFor(() => expect(toastTitles()).toEqual(['Lab results ready']));
    });

    it('lists a notification of a muted type without a toast', async () => {
      const { service, socket } = start();

      pushNew(socket, notification({ title: 'Muted' }), { muted: true });
      await settle();

      expect(titles(service)).toEqual(['Muted']);
      expect(toastTitles()).toEqual([]);
    });

    it('keeps one copy and one toast of a notification that arrives twice', async () => {
      const { service, socket } = start();
      const pushed = notification({ title: 'Once' });

      pushNew(socket, pushed);
      pushNew(socket, pushed);
      socket.push(ServerEvent.Refresh);
      answerRefetch([pushed]);
      await settle();

      expect(titles(service)).toEqual(['Once']);
      expect(toastTitles()).toEqual(['Once']);
    });

    it('marks a notification read when another device read it, and takes its toast away', async () => {
      const { service, socket } = start();
      const pushed = notification({ title: 'Read elsewhere' });
      pushNew(socket, pushed);
      await vi.waitFor(() => expect(toastTitles()).toHaveLength(1));

      socket.push(ServerEvent.Updated, { ...pushed, readAt: '2025-01-02T00:00:00.000Z', version: 1 });
      socket.push(ServerEvent.UnreadCount, { count: 0 });

      expect(list(service)[0].readAt).toBe('2025-01-02T00:00:00.000Z');
      expect(count(service)).toBe(0);
      expect(toastTitles()).toEqual([]);
    });

    it('applies the acknowledgement of a read', () => {
      const item = notification();
      const { service, socket } = start([item]);

      socket.push(ServerEvent.ReadAck, { id: item.id, readAt: '2025-01-03T00:00:00.000Z' });

      expect(list(service)[0].readAt).toBe('2025-01-03T00:00:00.000Z');
    });

    it('removes a notification deleted on another device, and a refetch already under way does not bring it back', () => {
      const kept = notification({ title: 'Kept' });
      const gone = notification({ title: 'Gone' });
      const { service, socket } = start([gone, kept]);

      socket.push(ServerEvent.Refresh);
      socket.push(ServerEvent.Deleted, { id: gone.id });
      socket.push(ServerEvent.UnreadCount, { count: 1 });
      expect(titles(service)).toEqual(['Kept']);

      answerRefetch([gone, kept], 2);
      expect(titles(service)).toEqual(['Kept']);
    });

    it('refetches list and count when the server asks for it', () => {
      const { service, socket } = start([notification({ title: 'Stale' })]);

      socket.push(ServerEvent.Refresh);
      answerRefetch([notification({ title: 'Fresh', readAt: '2025-01-02T00:00:00.000Z', version: 1 })], 0);

      expect(titles(service)).toEqual(['Fresh']);
      expect(count(service)).toBe(0);
    });
  });

  describe('polling while the socket is down', () => {
    it('polls list and count at the configured interval from the moment the socket drops, and stops when it is back', () => {
      vi.useFakeTimers();
      const { service, socket } = start();

      socket.drop();
      expect(state(service)).toBe('polling');

      vi.advanceTimersByTime(POLL_MS - 1);
      http.expectNone((request) => request.url === NOTIFICATIONS_URL);
      vi.advanceTimersByTime(1);
      answerRefetch([notification({ title: 'Found by polling' })]);
      expect(titles(service)).toEqual(['Found by polling']);

      vi.advanceTimersByTime(POLL_MS);
      answerRefetch([]);

      socket.acceptConnection();
      expect(state(service)).toBe('connected');
      answerRefetch([]); // the catch-up refetch
      vi.advanceTimersByTime(POLL_MS * 3);
      http.verify();
    });

    it('shows a toast for a notification that polling found', async () => {
      const { socket } = start();
      vi.useFakeTimers();
      socket.drop();

      vi.advanceTimersByTime(POLL_MS);
      answerRefetch([notification({ title: 'While disconnected' })]);
      vi.useRealTimers();

      await vi.waitFor(() => expect(toastTitles()).toEqual(['While disconnected']));
    });

    it('does not poll while the browser is offline', () => {
      vi.useFakeTimers();
      const { service, socket } = start();
      const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);

      window.dispatchEvent(new Event('offline'));
      socket.drop();
      vi.advanceTimersByTime(POLL_MS * 2);

      expect(state(service)).toBe('offline');
      http.expectNone((request) => request.url === NOTIFICATIONS_URL);
      onLine.mockRestore();
    });
  });

  describe('catching up after a reconnection', () => {
    it('sends its safe cursor on reconnect and merges the replay in order, once each', async () => {
      const first = notification({ title: 'First' });
      const { service, socket } = start([first]);
      const live = notification({ title: 'Live' });
      pushNew(socket, live);
      await vi.waitFor(() => expect(toastTitles()).toEqual(['Live']));

      socket.drop();
      expect(socket.handshake()).toEqual({ token: 'access-1', lastSeq: live.seq });

      const missedA = notification({ title: 'Missed A' });
      const missedB = notification({ title: 'Missed B' });
      socket.acceptConnection();
      pushNew(socket, missedA);
      pushNew(socket, missedB);
      pushNew(socket, live);
      answerRefetch([missedB, missedA, live, first]);
      await settle();

      expect(titles(service)).toEqual(['Missed B', 'Missed A', 'Live', 'First']);
      expect(toastTitles()).toEqual(['Live', 'Missed A', 'Missed B']);
    });

    it('moves the safe cursor only over an unbroken chain, and syncs from it when a link stays missing', async () => {
      vi.useFakeTimers();
      const first = notification();
      const { socket } = start([first]);
      const missing = notification();
      const later = notification();
      socket.acks.set(ClientEvent.Sync, { ok: true, replayed: 1, refresh: false, upToSeq: later.seq });

      pushNew(socket, later, { prevSeq: missing.seq });
      expect(socket.handshake().lastSeq).toBe(first.seq);
      vi.advanceTimersByTime(2_000);
      await vi.runAllTimersAsync();

      expect(socket.sent).toEqual([{ event: ClientEvent.Sync, args: [{ afterSeq: first.seq }] }]);
      expect(socket.handshake().lastSeq).toBe(later.seq);
    });

    it('needs no sync when the missing link arrives late', () => {
      vi.useFakeTimers();
      const first = notification();
      const { socket } = start([first]);
      const late = notification();
      const early = notification();

      pushNew(socket, early, { prevSeq: late.seq });
      pushNew(socket, late, { prevSeq: first.seq });
      vi.advanceTimersByTime(10_000);

      expect(socket.handshake().lastSeq).toBe(early.seq);
      expect(socket.sent).toEqual([]);
    });

    it("answers the server's resync with a sync from the safe cursor", async () => {
      const first = notification();
      const { socket } = start([first]);
      socket.acks.set(ClientEvent.Sync, { ok: true, replayed: 0, refresh: false, upToSeq: first.seq });

      socket.push(ServerEvent.Resync);
      await settle();

      expect(socket.sent).toEqual([{ event: ClientEvent.Sync, args: [{ afterSeq: first.seq }] }]);
    });

    it('sums up a backlog of more than three in one toast', async () => {
      const { socket } = start();
      socket.drop();
      socket.acceptConnection();

      const backlog = Array.from({ length: 5 }, () => notification());
      for (const item of backlog) pushNew(socket, item);
      answerRefetch(backlog.reverse());

      await vi.waitFor(() => expect(toastTitles()).toEqual(['5 new notifications']));
    });

    it('picks up reads made on other devices while it was away', () => {
      const item = notification();
      const { service, socket } = start([item]);
      socket.drop();
      socket.acceptConnection();

      answerRefetch([{ ...item, readAt: '2025-01-02T00:00:00.000Z', version: 1 }], 0);

      expect(list(service)[0].readAt).not.toBeNull();
      expect(count(service)).toBe(0);
    });
  });

  describe('tokens', () => {
    it('refreshes the token and reconnects with it when the handshake is refused as unauthorized', () => {
      const { socket } = start([], { connect: false });

      socket.refuse(SocketError.Unauthorized);
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));

      expect(socket.connectCalls).toBe(2);
      expect(socket.handshake().token).toBe('access-2');
    });

    it('refreshes the token and reconnects when the server ends the socket because the token expired', () => {
      const { service, socket } = start();

      socket.push(ServerEvent.SessionEnd, { reason: SocketError.TokenExpired });
      socket.kick();
      expect(state(service)).toBe('reconnecting');
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));

      expect(socket.connectCalls).toBe(2);
      expect(socket.handshake().token).toBe('access-2');
    });

    it('signs out, neither refreshing nor polling, when the server ends the socket because the session was revoked', () => {
      vi.useFakeTimers();
      const navigateByUrl = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
      const { service, socket } = start([notification({ title: 'Before' })]);

      socket.push(ServerEvent.SessionEnd, { reason: SocketError.SessionRevoked });
      socket.kick();
      TestBed.tick();
      vi.advanceTimersByTime(POLL_MS * 2);

      const auth = TestBed.inject(AuthService);
      expect(auth.isAuthenticated()).toBe(false);
      expect(auth.sessionEndedByServer()).toBe(true);
      expect(navigateByUrl).toHaveBeenCalledWith('/login');
      expect(socket.active).toBe(false);
      expect(socket.connectCalls).toBe(1);
      expect(list(service)).toEqual([]);
      expect(state(service)).toBe('offline');
      http.expectNone(AUTH_API.refresh);
      http.expectNone((request) => request.url.startsWith(NOTIFICATIONS_URL));
      navigateByUrl.mockRestore();
    });

    it('reconnects without a refresh when the server ends the socket for another reason', () => {
      vi.useFakeTimers();
      const { service, socket } = start();

      socket.kick();
      expect(state(service)).toBe('polling');
      vi.advanceTimersByTime(3_000);

      http.expectNone(AUTH_API.refresh);
      expect(socket.connectCalls).toBe(2);
    });

    it('waits longer before each further refresh when the new token is refused too', () => {
      vi.useFakeTimers();
      const { socket } = start([], { connect: false });
      socket.refuse(SocketError.Unauthorized);
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(2));

      socket.refuse(SocketError.Unauthorized);
      http.expectNone(AUTH_API.refresh);
      vi.advanceTimersByTime(3_000);
      http.expectOne(AUTH_API.refresh).flush(tokenResponse(3));
      expect(socket.connectCalls).toBe(3);
    });
  });

  describe('actions', () => {
    it('marks read over the socket, at once on screen', async () => {
      const item = notification();
      const { service, socket } = start([item]);
      socket.acks.set(ClientEvent.MarkRead, { ok: true, notification: { ...item, readAt: '2025-01-02T00:00:00.000Z', version: 1 } });

      const done = service.markAsRead(item.id);
      expect(list(service)[0].readAt).not.toBeNull();
      expect(count(service)).toBe(0);
      await done;

      expect(socket.sent).toEqual([{ event: ClientEvent.MarkRead, args: [{ id: item.id }] }]);
      expect(list(service)[0].readAt).toBe('2025-01-02T00:00:00.000Z');
    });

    it('marks read through REST while the socket is down', async () => {
      const item = notification();
      const { service, socket } = start([item]);
      socket.drop();

      const done = service.markAsRead(item.id);
      http.expectOne({ method: 'PATCH', url: `${NOTIFICATIONS_URL}/${item.id}/read` }).flush({ ...item, readAt: '2025-01-02T00:00:00.000Z', version: 1 });
      await done;

      expect(list(service)[0].readAt).toBe('2025-01-02T00:00:00.000Z');
    });

    it('marks everything read', async () => {
      const { service, socket } = start([notification(), notification()]);
      socket.acks.set(ClientEvent.MarkAllRead, { ok: true, updated: 2 });

      await service.markAllAsRead();

      expect(list(service).every((item) => item.readAt)).toBe(true);
      expect(count(service)).toBe(0);
    });

    it('takes a deleted notification away at once, and Undo brings it back without deleting anything', async () => {
      const item = notification({ title: 'Keep me' });
      const { service } = start([item]);

      service.delete([item.id]);
      expect(list(service)).toEqual([]);
      expect(count(service)).toBe(0);
      expect(TestBed.inject(UndoService).current()?.message).toBe('Deleted “Keep me”');

      TestBed.inject(UndoService).undo();

      expect(titles(service)).toEqual(['Keep me']);
      expect(count(service)).toBe(1);
      http.expectNone(`${NOTIFICATIONS_URL}/bulk`);
      // The count is then the server's, which never lost it (a count pushed meanwhile may have left it out).
      countRequest().flush({ count: 4 });
      await vi.waitFor(() => expect(count(service)).toBe(4));
    });

    it('deletes on the server when the undo window closes, and puts it back, saying so, when that fails', async () => {
      const item = notification({ title: 'Keep me' });
      const { service } = start([item]);

      service.delete([item.id]);
      TestBed.inject(UndoService).commit();
      const request = http.expectOne({ method: 'POST', url: `${NOTIFICATIONS_URL}/bulk` });
      expect(request.request.body).toEqual({ action: 'delete', ids: [item.id] });
      expect(request.request.keepalive).toBe(true);
      request.flush(null, { status: 500, statusText: 'Server Error' });
      await vi.waitFor(() => countRequest().flush({ count: 1 }));

      expect(titles(service)).toEqual(['Keep me']);
      await vi.waitFor(() => expect(count(service)).toBe(1));
      expect(valueOf(TestBed.inject(ToastService).toasts$)[0]).toMatchObject({ kind: 'error', message: 'Could not delete “Keep me”.' });
    });

    it('puts back only what one failed request of a large delete held', async () => {
      const items = Array.from({ length: 150 }, (_, index) => notification({ title: `N${index}`, readAt: '2025-01-02T00:00:00.000Z' }));
      const { service } = start(items, { nextCursor: null });

      service.delete(items.map((item) => item.id));
      TestBed.inject(UndoService).commit();
      const [first, second] = http.match({ method: 'POST', url: `${NOTIFICATIONS_URL}/bulk` });
      first.flush({ updated: [], deleted: first.request.body.ids, skipped: [] });
      second.flush(null, { status: 503, statusText: 'Unavailable' });
      await vi.waitFor(() => countRequest().flush({ count: 0 }));

      await vi.waitFor(() => expect(list(service)).toHaveLength(50));
      expect(list(service).map((item) => item.id).sort()).toEqual([...second.request.body.ids].sort());
    });

    it('never deletes an alert that awaits acknowledgement', () => {
      const alert = notification({ priority: 'CRITICAL', requireAck: true });
      const { service } = start([alert]);

      service.delete([alert.id]);

      expect(list(service)).toHaveLength(1);
      expect(TestBed.inject(UndoService).current()).toBeNull();
    });

    it('archives at once and offers to undo it, which moves it back to the inbox', async () => {
      const item = notification({ title: 'Lab results' });
      const { service, socket } = start([item]);
      socket.acks.set(ClientEvent.Archive, { ok: true, notification: { ...item, archivedAt: '2025-01-02T00:00:00.000Z', version: 1 } });

      await service.archive(item.id);
      expect(list(service)[0].archivedAt).toBe('2025-01-02T00:00:00.000Z');
      expect(count(service)).toBe(0);
      expect(TestBed.inject(UndoService).current()?.message).toBe('Archived “Lab results”');

      socket.acks.set(ClientEvent.Unarchive, { ok: true, notification: { ...item, archivedAt: null, version: 2 } });
      TestBed.inject(UndoService).undo();
      await vi.waitFor(() => expect(list(service)[0].archivedAt).toBeNull());

      expect(socket.sent.map((sent) => sent.event)).toEqual([ClientEvent.Archive, ClientEvent.Unarchive]);
      expect(count(service)).toBe(1);
    });

    it('changes a selection in one request, leaving alerts that await acknowledgement as they are', async () => {
      const first = notification({ title: 'First' });
      const second = notification({ title: 'Second' });
      const alert = notification({ title: 'Alert', priority: 'CRITICAL', requireAck: true });
      const { service } = start([first, second, alert]);

      const done = service.bulk('archive', [first.id, second.id, alert.id]);
      expect(count(service)).toBe(1);
      const request = http.expectOne({ method: 'POST', url: `${NOTIFICATIONS_URL}/bulk` });
      expect(request.request.body).toEqual({ action: 'archive', ids: [first.id, second.id] });
      const archivedAt = '2025-01-02T00:00:00.000Z';
      request.flush({ updated: [{ ...first, archivedAt, version: 1 }], deleted: [], skipped: [{ id: second.id, reason: 'not-found' }] });
      await done;

      expect(titles(service)).toEqual(['Alert', 'First']);
      expect(list(service).find((item) => item.id === first.id)?.archivedAt).toBe(archivedAt);
      expect(list(service).find((item) => item.id === alert.id)?.archivedAt).toBeNull();
    });

    it('undoes a selection change, with the count, when the server refuses it', async () => {
      const first = notification({ title: 'First' });
      const second = notification({ title: 'Second' });
      const { service } = start([first, second]);

      const done = service.bulk('read', [first.id, second.id]);
      expect(count(service)).toBe(0);
      http.expectOne(`${NOTIFICATIONS_URL}/bulk`).flush(null, { status: 503, statusText: 'Unavailable' });
      await done;

      expect(list(service).every((item) => item.readAt === null)).toBe(true);
      expect(count(service)).toBe(2);
    });

    it('reads on through older pages, full ones, until a search finds a page of matches', async () => {
      const { service } = start([notification({ title: 'Newest' })], { nextCursor: '900' });
      const matches = (item: NotificationDto) => item.title.startsWith('Match');

      const done = service.loadMore(matches);
      const first = http.expectOne((r) => r.url === NOTIFICATIONS_URL && r.params.get('cursor') === '900');
      expect(first.request.params.get('limit')).toBe(String(MAX_PAGE_SIZE));
      first.flush({ items: [notification({ title: 'Other', seq: '800' })], nextCursor: '800' });
      await vi.waitFor(() => http.expectOne((r) => r.params.get('cursor') === '800').flush({
        items: Array.from({ length: DEFAULT_PAGE_SIZE }, (_, index) => notification({ title: `Match ${index}`, seq: String(700 - index) })),
        nextCursor: '600',
      }));
      await done;

      http.expectNone((r) => r.params.get('cursor') === '600');
      expect(list(service).filter(matches)).toHaveLength(DEFAULT_PAGE_SIZE);
      expect(valueOf(service.hasMore$)).toBe(true);
    });

    it('loads older pages with the cursor', async () => {
      const { service } = start([notification({ title: 'Newest' })], { nextCursor: '900' });
      expect(valueOf(service.hasMore$)).toBe(true);

      const done = service.loadMore();
      const request = http.expectOne((r) => r.url === NOTIFICATIONS_URL && r.params.get('cursor') === '900');
      request.flush({ items: [notification({ title: 'Older', seq: '800' })], nextCursor: null });
      await done;

      expect(titles(service)).toEqual(['Newest', 'Older']);
      expect(valueOf(service.hasMore$)).toBe(false);
    });

    it('opens a notification: marks it read and goes to its in-app target', () => {
      const item = notification({ actionUrl: '/orders' });
      const { service, socket } = start([item]);
      socket.acks.set(ClientEvent.MarkRead, { ok: true, notification: item });
      const navigate = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);

      service.open(item);
      service.open({ ...item, actionUrl: 'javascript:alert(1)' });
      service.open({ ...item, actionUrl: '//evil.example/phish' });

      expect(navigate.mock.calls.map(([url]) => url)).toEqual(['/orders', '/notifications', '/notifications']);
    });
  });

  describe('signing out', () => {
    afterEach(() => vi.restoreAllMocks());

    function signOut(): void {
      vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
      TestBed.inject(AuthService).logout();
      TestBed.tick();
      http.expectOne(AUTH_API.logout).flush(null);
    }

    /** Another user signs in on the same browser; their inbox is empty. */
    function signInAsAdmin(): void {
      TestBed.inject(AuthService).login('admin@clinic.test', 'Admin123!').subscribe();
      http.expectOne(AUTH_API.login).flush(tokenResponse(2, 'ADMIN'));
      TestBed.tick();
      answerPreferences();
      answerRefetch([]);
    }

    it('closes the socket and forgets everything', () => {
      const { service, socket } = start([notification()]);

      signOut();

      expect(socket.connected).toBe(false);
      expect(list(service)).toEqual([]);
      expect(count(service)).toBe(0);
      expect(state(service)).toBe('offline');
    });

    it("keeps answers about the previous user's notifications that arrive late away from the next user", async () => {
      const read = notification({ title: 'Nurse only: read' });
      const failed = notification({ title: 'Nurse only: failed' });
      const { service, socket } = start([read, failed]);
      socket.drop();
      const done = [service.markAsRead(read.id), service.markAsRead(failed.id)];
      const readAnswer = http.expectOne(`${NOTIFICATIONS_URL}/${read.id}/read`);
      const failedAnswer = http.expectOne(`${NOTIFICATIONS_URL}/${failed.id}/read`);

      signOut();
      signInAsAdmin();
      readAnswer.flush({ ...read, readAt: '2025-01-02T00:00:00.000Z', version: 1 });
      failedAnswer.flush(null, { status: 500, statusText: 'Server Error' });
      await Promise.all(done);

      expect(list(service)).toEqual([]);
      expect(count(service)).toBe(0);
      expect(toastTitles()).toEqual([]);
    });

    it('announces nothing it was still deciding to announce when the user signed out', async () => {
      vi.useFakeTimers();
      // A background tab waits a moment before announcing, so a visible tab can do it instead.
      vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
      const { socket } = start();
      pushNew(socket, notification({ title: 'Nurse only' }));

      signOut();
      await vi.advanceTimersByTimeAsync(5_000);

      expect(toastTitles()).toEqual([]);
    });
  });
});
