import { BadRequestException, ForbiddenException, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { AccountDto, AuthConfigDto, TokenResponse } from '@clinic/contracts';
import { AuditService } from '../audit/audit.service';
import { TransactionService } from '../common/transaction.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { DEMO_USERS } from '../database/demo-users';
import type { User } from '../generated/prisma/client';
import { IssuedSession, SessionRefused, SessionsService, SignInClient } from '../sessions/sessions.service';
import { ACCOUNT_TEAMS, toAccountDto, toUserDto } from '../users/user.mapper';
import type { AuthUser } from './auth-user';
import { LoginAttempts } from './login-attempts';
import { hashPassword, verifyPassword } from './password';

// Compared against when the email is unknown, so a wrong email costs as much time as a wrong
// password and response times do not reveal which accounts exist.
const DUMMY_HASH = 'scrypt$65536$8$2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Why a checked sign-in failed, as the audit log records it. */
type SignInFailure = 'unknown-email' | 'wrong-password' | 'deactivated';

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
    private readonly attempts: LoginAttempts,
    private readonly transactions: TransactionService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The user with these credentials, or null; a wrong email or password is recorded in the audit log. */
  async checkCredentials(email: string, password: string, client: SignInClient = {}): Promise<User | null> {
    const normalized = email.trim().toLowerCase();
    const user = await this.prisma.user.findUnique({ where: { email: normalized } });
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (valid && user) return user;
    await this.recordFailedSignIn(normalized, user, user ? 'wrong-password' : 'unknown-email', client);
    return null;
  }

  /** Starts a session on this device for a user whose password was checked. */
  async issueTokens(user: User, client: SignInClient = {}): Promise<SignedIn> {
    if (user.deactivatedAt) {
      await this.recordFailedSignIn(user.email, user, 'deactivated', client);
      // Said only to someone who knew the password: it reveals nothing to a guesser.
      throw new UnauthorizedException('This account is deactivated; ask an administrator');
    }
    return this.signedIn(await this.sessions.start(user, client));
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
    const fromAccessToken = async () => {
      const caller = await this.sessions.authenticate(accessToken);
      return caller ? { id: caller.sessionId, userId: caller.id } : null;
    };
    const session = (refreshToken ? await this.sessions.sessionOfRefreshToken(refreshToken) : null) ?? (await fromAccessToken());
    if (session) await this.sessions.end(session, 'logout', session.userId);
  }

  /**
   * A new password for the caller; every other session of theirs ends (a thief's included). A
   * wrong current password counts as a failed sign-in of the account: a stolen access token is
   * no oracle for guessing the password that would outlive it.
   */
  async changePassword(caller: AuthUser, ip: string, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.prisma.user.findUnique({ where: { id: caller.id } });
    if (!user) throw new NotFoundException('User not found');
    await this.attempts.begin(ip, user.email);
    const valid = await verifyPassword(currentPassword, user.passwordHash).catch(async (error: unknown) => {
      await this.attempts.notChecked(user.email);
      throw error;
    });
    // 403, not 401: the access token is fine, and a 401 would send the app to refresh it.
    if (!valid) throw new ForbiddenException('The current password is not correct');
    await this.attempts.succeeded(user.email);
    if (newPassword === currentPassword) throw new BadRequestException('The new password must differ from the current one');
    const passwordHash = await hashPassword(newPassword);
    await this.transactions.run(async (tx, afterCommit) => {
      await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
      const sessionsEnded = await this.sessions.endAllOfUserInTransaction(tx, afterCommit, user.id, 'password-change', caller.sessionId);
      await this.audit.record(tx, { actorId: user.id, action: 'auth.password-changed', target: { type: 'user', id: user.id }, details: { sessionsEnded } });
    });
  }

  /** The signed-in user with their phone and teams. */
  async me(userId: string): Promise<AccountDto> {
    const user = await this.prisma.user.findUnique({ where: { id: userId }, include: ACCOUNT_TEAMS });
    if (!user) throw new NotFoundException('User not found');
    return toAccountDto(user);
  }

  /** The email tried and why it failed, never the password; an unknown email names no user. */
  private async recordFailedSignIn(email: string, user: User | null, reason: SignInFailure, client: SignInClient): Promise<void> {
    await this.transactions.run((tx) =>
      this.audit.record(tx, {
        actorId: null,
        action: 'auth.sign-in-failed',
        target: { type: 'user', id: user?.id ?? null },
        details: { email, reason, ip: client.ip ?? null },
      }),
    );
  }

  /** The demo accounts are offered only where they were seeded, which production refuses. */
  loginPageConfig(): AuthConfigDto {
    const demo = this.config.seedDemoUsers;
    return { demo, demoAccounts: demo ? DEMO_USERS.map((account) => ({ ...account })) : [], currency: this.config.clinicCurrency };
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
