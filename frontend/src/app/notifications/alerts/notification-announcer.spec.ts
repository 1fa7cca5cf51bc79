// How the user's preferences shape an announcement: desktop per type, "hide details", and sound
// silenced by quiet hours except for critical alerts.
import { TestBed } from '@angular/core/testing';
import { DEFAULT_CHANNELS, NotificationDto } from '@clinic/contracts';

import { notification } from '../../../testing/fake-socket';
import { NotificationSession, pushNew, valueOf } from '../../../testing/notification-session';
import { AlertSound } from './alert-sound';
import { DesktopNotifications } from './desktop-notifications';
import { ToastService } from './toast-service';

const utcClock = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(11, 16);
/** Quiet from an hour ago to an hour from now, on the UTC clock (over midnight when near it). */
const QUIET_NOW = () => ({ timeZone: 'UTC', quietHours: { start: utcClock(-3_600_000), end: utcClock(3_600_000) } });

describe('announcing with the user’s preferences', () => {
  const session = new NotificationSession();
  const toastTitles = () => valueOf(TestBed.inject(ToastService).toasts$).map((toast) => toast.title);
  let desktop: Array<{ title: string; body: string }>;

  beforeEach(() => {
    // The tab is in the background: desktop notifications are due.
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    session.configure();
    desktop = [];
    vi.spyOn(TestBed.inject(DesktopNotifications), 'show').mockImplementation((message) => void desktop.push({ title: message.title, body: message.body }));
  });

  afterEach(() => vi.restoreAllMocks());

  const high = (overrides: Partial<NotificationDto> = {}) => notification({ title: 'Lab result for Ada Lovelace', priority: 'HIGH', ...overrides });

  it('in quiet hours: no sound for a high-priority notification, still one for a critical alert', async () => {
    const play = vi.spyOn(TestBed.inject(AlertSound), 'play');
    const { socket } = session.start([], { settings: QUIET_NOW() });

    pushNew(socket, high());
    await vi.waitFor(() => expect(toastTitles()).toEqual(['Lab result for Ada Lovelace']));
    expect(play).not.toHaveBeenCalled();

    pushNew(socket, notification({ title: 'Crash cart', priority: 'CRITICAL', requireAck: true }));
    await vi.waitFor(() => expect(play.mock.calls).toEqual([['CRITICAL']]));
  });

  it('with "hide details", a desktop notification names neither title nor message', async () => {
    const { socket } = session.start([], { settings: { hideDetails: true } });
    pushNew(socket, high({ message: 'Room 12' }));
    await vi.waitFor(() => expect(toastTitles()).toHaveLength(1));
    expect(desktop).toEqual([{ title: 'New high notification', body: 'Open Clinic to see it.' }]);
  });

  it('a type whose desktop switch is off gets its toast but no desktop notification; other types still do', async () => {
    const { socket } = session.start([], {
      preferences: [{ type: 'GENERAL', muted: false, channels: { ...DEFAULT_CHANNELS, desktop: false } }],
    });
    pushNew(socket, high({ title: 'General news' }));
    pushNew(socket, high({ title: 'Fridge warm', type: 'SYSTEM_ALERT' }));
    await vi.waitFor(() => expect(toastTitles().sort()).toEqual(['Fridge warm', 'General news']));
    expect(desktop.map((message) => message.title)).toEqual(['Fridge warm']);
  });
});
