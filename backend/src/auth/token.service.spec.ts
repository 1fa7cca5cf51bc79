import { JwtService } from '@nestjs/jwt';
import type { AppConfig } from '../config/app-config';
import { TokenService } from './token.service';

describe('TokenService', () => {
  afterEach(() => jest.useRealTimers());

  const secret = 'a-test-secret-that-is-long-enough-for-hs256';
  const tokens = () => new TokenService(new JwtService({ secret }), { accessTokenTtlSeconds: 60 } as AppConfig);

  it('refuses a token once it has expired, although it was accepted (and remembered) before', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 10, 21, 12, 0, 0) });
    const service = tokens();
    const token = service.sign('user-1', 'session-1');
    expect(service.verify(token)).toMatchObject({ userId: 'user-1', sessionId: 'session-1' });
    jest.setSystemTime(Date.UTC(2026, 10, 21, 12, 0, 59));
    expect(service.verify(token)).toMatchObject({ userId: 'user-1' });
    jest.setSystemTime(Date.UTC(2026, 10, 21, 12, 1, 0));
    expect(service.verify(token)).toBeNull();
    expect(service.verify(token)).toBeNull();
  });

  it('refuses a tampered copy of a token it has accepted', () => {
    const service = tokens();
    const token = service.sign('user-1', 'session-1');
    expect(service.verify(token)).not.toBeNull();
    const [header, , signature] = token.split('.');
    const adminClaims = Buffer.from(JSON.stringify({ sub: 'user-2', sid: 'session-1', exp: 4_102_444_800 })).toString('base64url');
    expect(service.verify(`${header}.${adminClaims}.${signature}`)).toBeNull();
    expect(service.verify(`${token}x`)).toBeNull();
  });

  it('still verifies every token after more have been seen than it remembers', () => {
    const service = tokens();
    const issued = Array.from({ length: 1_050 }, (_, i) => service.sign(`user-${i}`, `session-${i}`));
    for (const token of issued) expect(service.verify(token)).not.toBeNull();
    expect(issued.map((token) => service.verify(token)?.userId)).toEqual(issued.map((_, i) => `user-${i}`));
  });
});
