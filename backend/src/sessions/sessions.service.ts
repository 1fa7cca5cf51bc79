import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { TokenService } from '../auth/token.service';
import { AfterCommit, TransactionService, Tx } from '../common/transaction.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { User } from '../generated/prisma/client';
import { SessionChanges } from './session-changes';
import { ActiveSession, SessionsRepository } from './sessions.repository';

/** Why a session ended: kept on the session row for operators. */
export type SessionEndReason = 'logout' | 'password-change' | 'password-reset' | 'deactivated' | 'role-change' | 'refresh-reuse';

/** A refresh token was refused; the message says why, for the 401. */
export class SessionRefused extends Error {}

/** Where a sign-in came from, for the session row and the audit log. */
export interface SignInClient {
  userAgent?: string;
  ip?: string;
}

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
/** How long a change is remembered for handshakes that began before it (far longer than one takes). */
const CHANGES_KEPT_MS = 60_000;
/** The key of "everything may have changed" (the change feed was down) in SessionsService.lastChanged. */
const RESYNC = '*';
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
  /** The generation at which each session or user last changed, kept for a minute (see changedSince). */
  private readonly lastChanged = new Map<string, { generation: number; at: number }>();
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
    private readonly transactions: TransactionService,
    private readonly audit: AuditService,
    readonly changes: SessionChanges,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Registered first, so every other listener sees the memory already cleared.
    changes.on('session-ended', (id) => this.forget((sessionId) => sessionId === id, id));
    changes.on('user-changed', (userId) => this.forget((_, check) => check.session?.userId === userId, userId));
    changes.on('resync', () => this.forget(() => true, RESYNC));
  }

  /** A mark to give changedSince: taken before a check whose answer is acted on later. */
  get changeMark(): number {
    return this.generation;
  }

  /**
   * Whether this session or user ended or changed after `mark` (or everything was to be checked
   * again). A socket handshake checks its session, then awaits its connection slot; a notice in
   * between went to rooms the socket was not in yet, so the handshake asks this before joining.
   */
  changedSince(mark: number, sessionId: string, userId: string): boolean {
    return [sessionId, userId, RESYNC].some((key) => (this.lastChanged.get(key)?.generation ?? -1) > mark);
  }

  /** The caller behind this access token, or null when the token or its session does not hold. */
  async authenticate(token: unknown): Promise<AuthUser | null> {
    const verified = this.tokens.verify(token);
    if (!verified) return null;
    const session = await this.activeSession(verified.sessionId);
    if (!session || session.userId !== verified.userId) return null;
    return { id: session.userId, role: session.role, teamIds: session.teamIds, sessionId: session.id, exp: verified.exp };
  }

  /** Of these sessions, the ones active now, straight from the database, by id. */
  async activeSessions(sessionIds: readonly string[]): Promise<Map<string, ActiveSession>> {
    const found = await this.loader.loadMany(sessionIds);
    const active = new Map<string, ActiveSession>();
    for (const session of found) {
      if (session instanceof Error) throw session;
      if (session) active.set(session.id, session);
    }
    return active;
  }

  async start(user: User, client: SignInClient = {}): Promise<IssuedSession> {
    const refreshToken = newRefreshToken();
    const userAgent = client.userAgent?.slice(0, 300) ?? null;
    const session = await this.transactions.run(async (tx) => {
      const created = await this.repository.create(tx, user.id, userAgent, this.refreshExpiry(), sha256(refreshToken));
      await this.audit.record(tx, {
        actorId: user.id,
        action: 'auth.signed-in',
        target: { type: 'session', id: created.id },
        details: { email: user.email, ip: client.ip ?? null, userAgent },
      });
      return created;
    });
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
      await this.end(session, 'refresh-reuse', null);
      throw new SessionRefused('Refresh token was already used; the session has ended, please sign in again');
    }
    const now = new Date();
    if (session.endedAt || stored.expiresAt <= now || session.expiresAt <= now || session.user.deactivatedAt) {
      throw new SessionRefused('The session has ended; please sign in again');
    }
    const next = newRefreshToken();
    if (!(await this.repository.rotate(stored.id, session.id, session.userId, sha256(next), this.refreshExpiry()))) {
      await this.end(session, 'refresh-reuse', null);
      throw new SessionRefused('Refresh token was already used; the session has ended, please sign in again');
    }
    return { user: session.user, sessionId: session.id, accessToken: this.tokens.sign(session.userId, session.id), refreshToken: next };
  }

  /** The session this refresh token belongs to, and its user, or null for a token we never issued. */
  async sessionOfRefreshToken(refreshToken: string): Promise<{ id: string; userId: string } | null> {
    const session = (await this.repository.findRefreshToken(sha256(refreshToken)))?.session;
    return session ? { id: session.id, userId: session.userId } : null;
  }

  /**
   * Ends one session, recording it in the audit log: `actorId` is who ended it (null for a
   * refresh token presented twice: whoever presented it is unknown).
   */
  async end(session: { id: string; userId: string }, reason: SessionEndReason, actorId: string | null): Promise<void> {
    await this.transactions.run(async (tx, afterCommit) => {
      const [ended] = await this.repository.end({ id: session.id }, reason, tx);
      if (!ended) return;
      await this.audit.record(tx, { actorId, action: 'session.ended', target: { type: 'session', id: ended }, details: { reason, userId: session.userId } });
      afterCommit(() => this.changes.announceSessionsEnded([ended]));
    });
  }

  /**
   * Ends every session of the user, or every one but `except` (the caller's own), inside the
   * transaction of the change that ends them (which records it); their tokens and sockets go
   * once it commits. Returns how many ended.
   */
  async endAllOfUserInTransaction(tx: Tx, afterCommit: AfterCommit, userId: string, reason: SessionEndReason, except?: string): Promise<number> {
    const ended = await this.repository.end({ userId, notId: except }, reason, tx);
    if (ended.length > 0) afterCommit(() => this.changes.announceSessionsEnded(ended));
    return ended.length;
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

  private forget(matches: (sessionId: string, check: RememberedCheck) => boolean, changed: string): void {
    this.generation++;
    for (const [sessionId, check] of this.checks) if (matches(sessionId, check)) this.checks.delete(sessionId);
    const now = Date.now();
    // Oldest first (re-inserted on change): what no handshake can still be waiting on goes.
    for (const [key, { at }] of this.lastChanged) {
      if (at > now - CHANGES_KEPT_MS) break;
      this.lastChanged.delete(key);
    }
    this.lastChanged.delete(changed);
    this.lastChanged.set(changed, { generation: this.generation, at: now });
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000);
  }
}

function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}
