import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { TokenResponse, UserDto } from '@clinic/contracts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import type { User } from '../generated/prisma/client';
import { toUserDto } from '../users/user.mapper';
import { verifyPassword } from './password';
import { TokenService } from './token.service';

// Compared against when the email is unknown, so a wrong email costs as much time as a wrong
// password and response times do not reveal which accounts exist.
const DUMMY_HASH = 'scrypt$65536$8$2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The user with these credentials, or null. */
  async checkCredentials(email: string, password: string): Promise<User | null> {
    const user = await this.prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    return valid && user ? user : null;
  }

  async issueTokens(user: User): Promise<TokenResponse> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.prisma.refreshToken.create({
      data: {
        userId: user.id,
        tokenHash: sha256(refreshToken),
        expiresAt: new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000),
      },
    });
    return {
      accessToken: this.tokens.sign(user.id, user.role),
      expiresIn: this.config.accessTokenTtlSeconds,
      refreshToken,
      refreshExpiresIn: this.config.refreshTokenTtlSeconds,
      user: toUserDto(user),
    };
  }

  /**
   * Exchanges a refresh token for a new pair; the old one stops working. Presenting a token
   * that was already used means it leaked: every session of that user is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    const stored = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: sha256(refreshToken) },
      include: { user: true },
    });
    if (!stored || stored.expiresAt <= new Date()) {
      throw new UnauthorizedException('Refresh token is invalid or expired');
    }
    const revoked = await this.prisma.refreshToken.updateMany({
      where: { id: stored.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count === 0) {
      await this.revokeAll(stored.userId);
      throw new UnauthorizedException('Refresh token was already used; please sign in again');
    }
    return this.issueTokens(stored.user);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({
      where: { tokenHash: sha256(refreshToken), revokedAt: null },
      data: { revokedAt: new Date() },
    });
  }

  async me(userId: string): Promise<UserDto> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) throw new NotFoundException('User not found');
    return toUserDto(user);
  }

  private async revokeAll(userId: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  }
}
