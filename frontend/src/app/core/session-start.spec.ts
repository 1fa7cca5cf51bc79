import type { Mock } from 'vitest';

import { FakeLocks } from '../../testing/auth-fixtures';
import { AUTH_API } from './api-paths';
import { PENDING_SIGN_OUT_KEY, SESSION_LOCK, startSessionRefresh, takeStartedRefresh } from './session-start';

describe('startSessionRefresh', () => {
  let fetch: Mock<typeof globalThis.fetch>;

  beforeEach(() => {
    localStorage.clear();
    fetch = vi.fn<typeof globalThis.fetch>();
    vi.stubGlobal('fetch', fetch);
  });

  afterEach(() => {
    takeStartedRefresh();
    localStorage.clear();
    vi.unstubAllGlobals();
  });

  it('posts to the refresh route with the cookie (no body, no token), once, and hands the answer over once', async () => {
    fetch.mockResolvedValue(new Response(JSON.stringify({ accessToken: 'access-1' }), { status: 200, statusText: 'OK' }));

    startSessionRefresh();
    startSessionRefresh();

    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(AUTH_API.refresh);
    expect(init).toMatchObject({ method: 'POST' });
    expect(init?.body).toBeUndefined();
    expect(init?.credentials).toBeUndefined();
    expect(await takeStartedRefresh()).toEqual({ status: 200, statusText: 'OK', body: { accessToken: 'access-1' } });
    expect(takeStartedRefresh()).toBeNull();
  });

  it('holds the session lock while the request is under way, as every refresh does', async () => {
    const locks = new FakeLocks();
    const request = vi.spyOn(locks, 'request');
    vi.stubGlobal('navigator', { locks });
    fetch.mockResolvedValue(new Response(null, { status: 401, statusText: 'Unauthorized' }));

    startSessionRefresh();

    expect(await takeStartedRefresh()).toEqual({ status: 401, statusText: 'Unauthorized', body: null });
    expect(request).toHaveBeenCalledWith(SESSION_LOCK, expect.any(Function));
  });

  it('answers status 0 when the server cannot be reached, and keeps a body that is not JSON out', async () => {
    fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    startSessionRefresh();
    expect(await takeStartedRefresh()).toEqual({ status: 0, statusText: '', body: null });

    fetch.mockResolvedValueOnce(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    startSessionRefresh();
    expect(await takeStartedRefresh()).toEqual({ status: 502, statusText: 'Bad Gateway', body: null });
  });

  it('sends nothing while a sign-out awaits the server, which the app repeats instead', () => {
    localStorage.setItem(PENDING_SIGN_OUT_KEY, '1');

    startSessionRefresh();

    expect(fetch).not.toHaveBeenCalled();
    expect(takeStartedRefresh()).toBeNull();
  });
});
