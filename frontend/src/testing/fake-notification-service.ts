import type { NotificationDto, SendUpdatedPayload } from '@clinic/contracts';
import { BehaviorSubject, map, Subject } from 'rxjs';

import type { ConnectionState, LoadStatus } from '../app/notifications';

/** The NotificationService's observable surface, set directly by a test; actions are spies. */
export class FakeNotificationService {
  readonly list = new BehaviorSubject<readonly NotificationDto[]>([]);
  readonly count = new BehaviorSubject(0);
  readonly state = new BehaviorSubject<ConnectionState>('connected');
  readonly more = new BehaviorSubject(false);
  readonly status = new BehaviorSubject<LoadStatus>('ready');

  readonly notifications$ = this.list.asObservable();
  readonly unreadCount$ = this.count.asObservable();
  readonly connectionState$ = this.state.asObservable();
  readonly hasMore$ = this.more.asObservable();
  readonly loadStatus$ = this.status.asObservable();
  readonly loadingMore$ = this.more.pipe(map(() => false));
  readonly arrivals$ = new Subject<NotificationDto>().asObservable();
  /** The server's `send:updated`, pushed by the test. */
  readonly sendUpdates = new Subject<SendUpdatedPayload>();
  readonly sendUpdates$ = this.sendUpdates.asObservable();

  readonly markAsRead = vi.fn(async () => undefined);
  readonly markAllAsRead = vi.fn(async () => undefined);
  readonly acknowledge = vi.fn(async () => undefined);
  readonly reportSeen = vi.fn();
  readonly delete = vi.fn();
  readonly bulk = vi.fn(async () => undefined);
  readonly snooze = vi.fn(async () => undefined);
  readonly archive = vi.fn(async () => undefined);
  readonly loadMore = vi.fn(async () => undefined);
  readonly open = vi.fn();
}
