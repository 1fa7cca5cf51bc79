import { BadRequestException, ForbiddenException, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { AuthConfigDto, TokenResponse, UserDto } from '@clinic/contracts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { DEMO_USERS } from '../database/demo-users';
import type { User } from '../generated/prisma/client';
import { IssuedSession, SessionRefused, SessionsService } from '../sessions/sessions.service';
import { toUserDto } from '../users/user.mapper';
import type { AuthUser } from './auth-user';
import { hashPassword, verifyPassword } from './password';

// Compared against when the email is unknown, so a wrong email costs as much time as a wrong
// password and response times do not reveal which accounts exist.
const DUMMY_HASH = 'scrypt$65536$8$2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** A new or refreshed session as the API answers it; the refresh token goes where the controller decides. */
export interface SignedIn {
  response: Omit<TokenResponse, 'refreshToken'>;
  refreshToken: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The user with these credentials, or null. */
  async checkCredentials(email: string, password: string): Promise<User | null> {
    const user = await this.prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    return valid && user ? user : null;
  }

  /** Starts a session on this device for a user whose password was checked. */
  async issueTokens(user: User, userAgent?: string): Promise<SignedIn> {
    // Said only to someone who knew the password: it reveals nothing to a guesser.
    if (user.deactivatedAt) throw new UnauthorizedException('This account is deactivated; ask an administrator');
    return this.signedIn(await this.sessions.start(user, userAgent));
  }

  async refresh(refreshToken: string): Promise<SignedIn> {
    try {
      return this.signedIn(await this.sessions.refresh(refreshToken));
    } catch (error) {
      if (error instanceof SessionRefused) throw new UnauthorizedException(error.message);
      throw error;
    }
  }

  /** Ends the session named by the refresh token, or else by the access token; unknown tokens end nothing. */
  async logout(refreshToken: string | undefined, accessToken: string | undefined): Promise<void> {
    const sessionId =
      (refreshToken ? await this.sessions.sessionOfRefreshToken(refreshToken) : null) ??
      (await this.sessions.authenticate(accessToken))?.sessionId;
    if (sessionId) await this.sessions.end(sessionId, 'logout');
  }

  /** A new password for the caller; every other session of theirs ends (a thief's included). */
  async changePassword(caller: AuthUser, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.prisma.user.findUnique({ where: { id: caller.id } });
    if (!user) throw new NotFoundException('User not found');
    // 403, not 401: the access token is fine, and a 401 would send the app to refresh it.
    if (!(await verifyPassword(currentPassword, user.passwordHash))) throw new ForbiddenException('The current password is not correct');
    if (newPassword === currentPassword) throw new BadRequestException('The new password must differ from the current one');
    await this.prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(newPassword) } });
    await this.sessions.endAllOfUser(user.id, 'password-change', caller.sessionId);
  }

  async me(userId: string): Promise<UserDto> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) throw new NotFoundException('User not found');
    return toUserDto(user);
  }

  /** The demo accounts are offered only where they were seeded, which production refuses. */
  loginPageConfig(): AuthConfigDto {
    const demo = this.config.seedDemoUsers;
    return { demo, demoAccounts: demo ? DEMO_USERS.map((account) => ({ ...account })) : [] };
  }

  private signedIn({ user, accessToken, refreshToken }: IssuedSession): SignedIn {
    return {
      response: {
        accessToken,
        expiresIn: this.config.accessTokenTtlSeconds,
        refreshExpiresIn: this.config.refreshTokenTtlSeconds,
        user: toUserDto(user),
      },
      refreshToken,
    };
  }
}
