import { ServerEvent, SocketError } from '@clinic/contracts';
import type { WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN, NURSE } from './support/api';
import { E2eApp } from './support/app';
import { chromiumAvailable, signIn, toasts, waitForConnection } from './support/browser';

/** Access tokens that expire while the page is open, as they do every 15 minutes in production. */
const TOKEN_SECONDS = 3;

describe.skipIf(!chromiumAvailable())('an access token expiring under an open page', () => {
  let app: E2eApp | undefined;

  beforeAll(async () => {
    app = await E2eApp.start({ ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_SECONDS) });
  });

  afterAll(() => app?.close());

  it('is refreshed and the socket reconnected with the new token, without the user noticing', async () => {
    const page = await app!.newPage();
    const sockets: WebSocket[] = [];
    const sessionEnds: string[] = [];
    page.on('websocket', (socket) => {
      sockets.push(socket);
      socket.on('framereceived', ({ payload }) => {
        if (String(payload).includes(ServerEvent.SessionEnd)) sessionEnds.push(String(payload));
      });
    });
    await signIn(page, NURSE);

    // The server ends the socket when its token expires; the page refreshes the token and reconnects.
    await expect.poll(() => sessionEnds.length, { timeout: (TOKEN_SECONDS + 5) * 1_000 }).toBeGreaterThan(0);
    expect(sessionEnds[0]).toContain(SocketError.TokenExpired);
    await expect.poll(() => sockets.length, { timeout: 5_000 }).toBeGreaterThan(1);
    await waitForConnection(page, 'Connected', 5_000);

    const { accessToken } = await app!.api.login(ADMIN);
    const nurseId = (await app!.api.users(accessToken)).find((user) => user.email === NURSE.email)!.id;
    await app!.api.send(accessToken, { title: 'After the refresh', message: 'Still live', target: { userId: nurseId } });

    await toasts(page).filter({ hasText: 'After the refresh' }).waitFor({ timeout: 2_000 });
    expect(new URL(page.url()).pathname).toBe('/notifications');
  });
});
