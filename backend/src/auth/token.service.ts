import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { AccessTokenClaims, VerifiedToken } from './auth-user';

/**
 * Tokens verified recently, by their full text (signature included, so only the exact token
 * signed by us can match). An admin sending hundreds of notifications a second presents the same
 * token every time; checking its HMAC and parsing it again each time was a few per cent of a
 * send's CPU. Bounded: the oldest entry makes room. Whether the token's session still holds is
 * asked of SessionsService on every use.
 */
const VERIFIED_TOKENS_KEPT = 1_000;

/** Signs and verifies access tokens; used by the HTTP guard and the socket handshake alike. */
@Injectable()
export class TokenService {
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  sign(userId: string, sessionId: string): string {
    const claims: AccessTokenClaims = { sub: userId, sid: sessionId };
    return this.jwt.sign(claims, { expiresIn: this.config.accessTokenTtlSeconds });
  }

  /** What the token says, or null when it is missing, malformed, forged or expired. */
  verify(token: unknown): VerifiedToken | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return null;
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
      return null;
    }
    const verified = this.verifySignedClaims(token);
    if (verified) {
      if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
      // Shared by every request presenting the token: nobody may change it.
      this.verified.set(token, Object.freeze(verified));
    }
    return verified;
  }

  private verifySignedClaims(token: string): VerifiedToken | null {
    try {
      // Only HS256: a token claiming `alg: none` or another algorithm is rejected.
      const claims = this.jwt.verify<AccessTokenClaims>(token, { algorithms: ['HS256'] });
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return null;
      return { userId: claims.sub, sessionId: claims.sid, exp: claims.exp };
    } catch {
      return null;
    }
  }
}
