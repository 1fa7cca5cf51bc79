import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ROLES } from '@clinic/contracts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { AccessTokenClaims, AuthUser } from './auth-user';

/**
 * Tokens verified recently, by their full text (signature included, so only the exact token
 * signed by us can match). An admin sending hundreds of notifications a second presents the same
 * token every time; checking its HMAC and parsing it again each time was a few per cent of a
 * send's CPU. Bounded: the oldest entry makes room.
 */
const VERIFIED_TOKENS_KEPT = 1_000;

/** Signs and verifies access tokens; used by the HTTP guard and the socket handshake alike. */
@Injectable()
export class TokenService {
  private readonly verified = new Map<string, AuthUser>();

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  sign(userId: string, role: AuthUser['role']): string {
    const claims: AccessTokenClaims = { sub: userId, role };
    return this.jwt.sign(claims, { expiresIn: this.config.accessTokenTtlSeconds });
  }

  /** The token's user, or null when it is missing, malformed, forged or expired. */
  verify(token: unknown): AuthUser | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return null;
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
      return null;
    }
    const user = this.verifySignedClaims(token);
    if (user) {
      if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
      // Shared by every request presenting the token: nobody may change it.
      this.verified.set(token, Object.freeze(user));
    }
    return user;
  }

  private verifySignedClaims(token: string): AuthUser | null {
    try {
      // Only HS256: a token claiming `alg: none` or another algorithm is rejected.
      const claims = this.jwt.verify<AccessTokenClaims>(token, { algorithms: ['HS256'] });
      if (typeof claims.sub !== 'string' || !ROLES.includes(claims.role) || typeof claims.exp !== 'number') return null;
      return { id: claims.sub, role: claims.role, exp: claims.exp };
    } catch {
      return null;
    }
  }
}
