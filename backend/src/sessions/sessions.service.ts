import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { AuthUser } from '../auth/auth-user';
import { TokenService } from '../auth/token.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { User } from '../generated/prisma/client';
import { SessionChanges } from './session-changes';
import { ActiveSession, SessionsRepository } from './sessions.repository';

/** Why a session ended: kept on the session row for operators. */
export type SessionEndReason = 'logout' | 'password-change' | 'password-reset' | 'deactivated' | 'role-change' | 'refresh-reuse';

/** A refresh token was refused; the message says why, for the 401. */
export class SessionRefused extends Error {}

export interface IssuedSession {
  user: User;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * How long this node trusts what it learnt about a session. Any end or user change reaches it at
 * once through SessionChanges; this bounds the damage should a notice still be missed (a
 * half-open listening connection). While the feed is down nothing is kept.
 */
const CHECK_KEPT_MS = 10_000;
/** Sessions remembered at most (10,000 sockets of as many users, plus REST callers). */
const CHECKS_KEPT = 50_000;
/** Sessions asked about in one statement at most. */
const LOOKUP_BATCH = 500;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

interface RememberedCheck {
  session: ActiveSession | null;
  until: number;
}

/**
 * Sessions: one per sign-in on a device. Issues and rotates their tokens, ends them, and answers
 * "may this access token act now, and with which role?" for every request and socket, from a
 * short-lived per-node memory that every session end and user change clears at once.
 */
@Injectable()
export class SessionsService {
  private readonly checks = new Map<string, RememberedCheck>();
  /** Bumped on every change: a lookup that overlapped one is used but not remembered. */
  private generation = 0;
  private readonly loader = new DataLoader<string, ActiveSession | null>(
    async (ids) => {
      const found = new Map((await this.repository.activeSessions(ids)).map((session) => [session.id, session]));
      return ids.map((id) => found.get(id) ?? null);
    },
    { cache: false, maxBatchSize: LOOKUP_BATCH },
  );

  constructor(
    private readonly repository: SessionsRepository,
    private readonly tokens: TokenService,
    readonly changes: SessionChanges,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Registered first, so every other listener sees the memory already cleared.
    changes.on('session-ended', (id) => this.forget((sessionId) => sessionId === id));
    changes.on('user-changed', (userId) => this.forget((_, check) => check.session?.userId === userId));
    changes.on('resync', () => this.forget(() => true));
  }

  /** The caller behind this access token, or null when the token or its session does not hold. */
  async authenticate(token: unknown): Promise<AuthUser | null> {
    const verified = this.tokens.verify(token);
    if (!verified) return null;
    const session = await this.activeSession(verified.sessionId);
    if (!session || session.userId !== verified.userId) return null;
    return { id: session.userId, role: session.role, sessionId: session.id, exp: verified.exp };
  }

  /** Of these sessions, the ones active now, straight from the database, by id. */
  async activeSessions(sessionIds: readonly string[]): Promise<Map<string, ActiveSession>> {
    const found = new Map<string, ActiveSession>();
    for (let start = 0; start < sessionIds.length; start += LOOKUP_BATCH) {
      for (const session of await this.repository.activeSessions(sessionIds.slice(start, start + LOOKUP_BATCH))) found.set(session.id, session);
    }
    return found;
  }

  async start(user: User, userAgent: string | undefined): Promise<IssuedSession> {
    const refreshToken = newRefreshToken();
    const session = await this.repository.create(user.id, userAgent?.slice(0, 300) ?? null, this.refreshExpiry(), sha256(refreshToken));
    return { user, sessionId: session.id, accessToken: this.tokens.sign(user.id, session.id), refreshToken };
  }

  /**
   * Exchanges a refresh token for a new pair in the same session. A token presented a second
   * time was copied: whoever holds it, the session ends.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const stored = await this.repository.findRefreshToken(sha256(refreshToken));
    if (!stored) throw new SessionRefused('Refresh token is invalid or expired');
    const { session } = stored;
    if (stored.usedAt) {
      await this.end(session.id, 'refresh-reuse');
      throw new SessionRefused('Refresh token was already used; the session has ended, please sign in again');
    }
    const now = new Date();
    if (session.endedAt || stored.expiresAt <= now || session.expiresAt <= now || session.user.deactivatedAt) {
      throw new SessionRefused('The session has ended; please sign in again');
    }
    const next = newRefreshToken();
    if (!(await this.repository.rotate(stored.id, session.id, session.userId, sha256(next), this.refreshExpiry()))) {
      await this.end(session.id, 'refresh-reuse');
      throw new SessionRefused('Refresh token was already used; the session has ended, please sign in again');
    }
    return { user: session.user, sessionId: session.id, accessToken: this.tokens.sign(session.userId, session.id), refreshToken: next };
  }

  /** The session this refresh token belongs to, or null for a token we never issued. */
  async sessionOfRefreshToken(refreshToken: string): Promise<string | null> {
    return (await this.repository.findRefreshToken(sha256(refreshToken)))?.session.id ?? null;
  }

  async end(sessionId: string, reason: SessionEndReason): Promise<void> {
    this.changes.announceSessionsEnded(await this.repository.end({ id: sessionId }, reason));
  }

  /** Ends every session of the user, or every one but `except` (the caller's own). */
  async endAllOfUser(userId: string, reason: SessionEndReason, except?: string): Promise<void> {
    this.changes.announceSessionsEnded(await this.repository.end({ userId, notId: except }, reason));
  }

  private async activeSession(sessionId: string): Promise<ActiveSession | null> {
    const remembered = this.checks.get(sessionId);
    if (remembered && remembered.until > Date.now()) return remembered.session;
    const generation = this.generation;
    const session = await this.loader.load(sessionId);
    if (this.changes.live && generation === this.generation) {
      if (this.checks.size >= CHECKS_KEPT) this.checks.delete(this.checks.keys().next().value!);
      this.checks.set(sessionId, { session, until: Date.now() + CHECK_KEPT_MS });
    }
    return session;
  }

  private forget(matches: (sessionId: string, check: RememberedCheck) => boolean): void {
    this.generation++;
    for (const [sessionId, check] of this.checks) if (matches(sessionId, check)) this.checks.delete(sessionId);
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000);
  }
}

function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}
