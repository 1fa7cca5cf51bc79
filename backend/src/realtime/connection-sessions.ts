import type { Logger } from '@nestjs/common';
import { SocketError, SocketErrorCode } from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import type { ActiveSession } from '../sessions/sessions.repository';
import type { SessionsService } from '../sessions/sessions.service';
import type { SlotHolder, SocketLimits } from './socket-limits';

/** Longest delay setTimeout accepts; a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the session logic needs of one transport's connections on this node (Socket.IO sockets, plain WebSockets). */
export interface SessionTransport<C extends object> {
  /** The connection's user, as it is now (a re-check may have changed its role and teams). */
  userOf(connection: C): AuthUser;
  /** Tells the connection why (`session_end`), then closes it. */
  end(connection: C, reason: SocketErrorCode): void;
  /** Ends this node's connections of the session. */
  endSession(sessionId: string): void;
  /** Moves the connection to the rooms of its user's current role and teams, without a reconnect. */
  moveTo(connection: C, session: ActiveSession): void;
  /** This node's connections of the user, or all of them without one. */
  connections(userId?: string): C[];
}

/** What the handshake's checks decided: a user holding a connection slot, or why not. */
export type SessionAdmission = { user: AuthUser; changeMark: number } | { refusal: SocketErrorCode };

/**
 * The session rules every real-time transport applies to its connections, in one place:
 * admission (token and session, then a connection slot, with the mark that tells whether a change
 * came meanwhile), the end of a connection when its token expires, and the reactions to session
 * ends and user changes announced on any node (end the connections, or move them to the user's
 * current rooms, the latest re-check winning).
 */
export class ConnectionSessions<C extends object> {
  private readonly expiryTimers = new Map<C, NodeJS.Timeout>();
  /** Numbers the re-checks; a connection keeps the rooms of the latest one that reached it. */
  private rechecks = 0;
  private readonly lastRecheck = new WeakMap<C, number>();

  constructor(
    private readonly sessions: SessionsService,
    private readonly limits: SocketLimits,
    private readonly transport: SessionTransport<C>,
    private readonly logger: Logger,
  ) {}

  /** Reacts to every session end and user change announced (SessionChanges): call once. */
  watchChanges(): void {
    this.sessions.changes.on('session-ended', (sessionId) => this.transport.endSession(sessionId));
    this.sessions.changes.on('user-changed', (userId) => void this.recheck(this.transport.connections(userId)));
    this.sessions.changes.on('resync', () => void this.recheck(this.transport.connections()));
  }

  /**
   * The handshake's checks: token and session, then one of the user's connection slots for
   * `slot`. Before the connection goes live, ask `changedSince` with the mark.
   */
  async admit(token: unknown, slot: SlotHolder, logPrefix: string): Promise<SessionAdmission> {
    const changeMark = this.sessions.changeMark;
    let user: AuthUser | null;
    try {
      user = await this.sessions.authenticate(token);
    } catch (error) {
      this.logger.warn(`${logPrefix} refused, sessions cannot be checked: ${error instanceof Error ? error.message : String(error)}`);
      return { refusal: SocketError.ServerError };
    }
    if (!user) return { refusal: SocketError.Unauthorized };
    if (!(await this.limits.admit(slot, user.id))) return { refusal: SocketError.TooManyConnections };
    return { user, changeMark };
  }

  /**
   * Whether the session ended or its user changed after `changeMark`: that notice found no
   * connection to end or move. The caller releases the slot and refuses, as a retry that checks afresh.
   */
  changedSince(changeMark: number, user: AuthUser): boolean {
    return this.sessions.changedSince(changeMark, user.sessionId, user.id);
  }

  /** Ends the connection when its token expires, saying why, so the client refreshes the token and reconnects. */
  scheduleExpiry(connection: C, expiresAt: number): void {
    const timer = setTimeout(
      () => {
        if (Date.now() < expiresAt) return this.scheduleExpiry(connection, expiresAt);
        this.expiryTimers.delete(connection);
        this.transport.end(connection, SocketError.TokenExpired);
      },
      Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS),
    );
    timer.unref();
    this.expiryTimers.set(connection, timer);
  }

  /** The connection is gone. */
  forget(connection: C): void {
    clearTimeout(this.expiryTimers.get(connection));
    this.expiryTimers.delete(connection);
  }

  /**
   * Asks the database again about these connections' sessions: ends those whose session no
   * longer holds, moves the others to their user's current role and team rooms. Two re-checks of
   * one connection may answer out of order (two pooled connections): the one that began later
   * read the later state, so an earlier one that answers after it changes nothing.
   */
  async recheck(connections: C[]): Promise<void> {
    const recheck = ++this.rechecks;
    if (connections.length === 0) return;
    try {
      const active = await this.sessions.activeSessions([...new Set(connections.map((connection) => this.transport.userOf(connection).sessionId))]);
      for (const connection of connections) {
        const session = active.get(this.transport.userOf(connection).sessionId);
        if (!session) {
          this.transport.end(connection, SocketError.SessionRevoked);
        } else if ((this.lastRecheck.get(connection) ?? 0) < recheck) {
          this.lastRecheck.set(connection, recheck);
          this.transport.moveTo(connection, session);
        }
      }
    } catch (error) {
      this.logger.warn(`re-checking the sessions of open connections failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
