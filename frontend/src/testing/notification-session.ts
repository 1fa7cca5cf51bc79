import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { NotificationDto, NotificationPreferenceDto, NotificationSettingsDto, ServerEvent } from '@clinic/contracts';
import { Observable } from 'rxjs';

import { NOTIFICATIONS_URL } from '../app/core/api-paths';
import { NotificationService } from '../app/notifications';
import { signIn } from './auth-fixtures';
import { FakeSocket, provideFakeSockets } from './fake-socket';

/**
 * The real NotificationService behind a fake socket and HTTP backend, for a spec that plays the
 * server: `configure()` in beforeEach (it signs the nurse in), then `start()` in each test.
 */
export class NotificationSession {
  private sockets: FakeSocket[] = [];

  get http(): HttpTestingController {
    return TestBed.inject(HttpTestingController);
  }

  configure(providers: Provider[] = []): void {
    localStorage.clear();
    const fakes = provideFakeSockets();
    this.sockets = fakes.sockets;
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), fakes.provider, ...providers],
    });
    signIn(1);
  }

  /** Loads the user's preferences (none changed unless given), the first page (`items`), and connects the socket. */
  start(
    items: NotificationDto[] = [],
    preferences: { preferences?: NotificationPreferenceDto[]; settings?: Partial<NotificationSettingsDto> } = {},
  ): { service: NotificationService; socket: FakeSocket } {
    const service = TestBed.inject(NotificationService);
    TestBed.tick();
    this.http.expectOne(`${NOTIFICATIONS_URL}/preferences`).flush(preferences.preferences ?? []);
    this.http
      .expectOne(`${NOTIFICATIONS_URL}/settings`)
      .flush({ timeZone: 'UTC', quietHours: null, digestTime: null, hideDetails: false, phone: null, ...preferences.settings });
    this.answerRefetch(items);
    const socket = this.sockets[0];
    socket.acceptConnection();
    return { service, socket };
  }

  answerRefetch(items: NotificationDto[], count = items.filter((item) => !item.readAt).length): void {
    this.http.expectOne((request) => request.url === NOTIFICATIONS_URL).flush({ items, nextCursor: null });
    this.http.expectOne(`${NOTIFICATIONS_URL}/unread-count`).flush({ count });
  }
}

/** The server pushing a new notification, its `prevSeq` the seq just before it. */
export function pushNew(socket: FakeSocket, item: NotificationDto, options: { muted?: boolean } = {}): void {
  socket.push(ServerEvent.New, { ...item, muted: options.muted ?? false, prevSeq: String(BigInt(item.seq) - 1n) });
}

/** The current value of an observable that has one (a BehaviorSubject's). */
export function valueOf<T>(source: Observable<T>): T {
  let value!: T;
  source.subscribe((next) => (value = next)).unsubscribe();
  return value;
}
