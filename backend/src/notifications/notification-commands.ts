import { Injectable, Logger } from '@nestjs/common';
import { Ack, MAX_SEEN_BATCH, NotificationDto, SeenResult, SocketError, SocketErrorCode, StateChange, SyncResult } from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { ConflictError, DomainError, ForbiddenError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { CatchUpService } from './catch-up.service';
import type { ClientConnection } from './notification-publisher';
import { NotificationsService } from './notifications.service';
import { parseSeq } from './seq';
import { TriageService } from './triage.service';

/** The acknowledgement error for each DomainError a command may meet. */
const COMMAND_ERRORS: ReadonlyArray<[new (message: string) => DomainError, SocketErrorCode]> = [
  [NotFoundError, SocketError.NotFound],
  [InvalidInputError, SocketError.InvalidPayload],
  [ForbiddenError, SocketError.Forbidden],
  [ConflictError, SocketError.Conflict],
];

/**
 * What a client may ask over a socket, whichever the transport (the Socket.IO gateway, the plain
 * WebSocket gateway in ws/): each command checks its payload, delegates, and is answered
 * `{ ok: true, … }` or `{ ok: false, error }`; none throws.
 */
@Injectable()
export class NotificationCommands {
  private readonly logger = new Logger(NotificationCommands.name);

  constructor(
    private readonly notifications: NotificationsService,
    private readonly catchUp: CatchUpService,
    private readonly triage: TriageService,
  ) {}

  /** Triage of one own notification, `{ id }` (`snooze`: `{ id, until }`): read, unread, archive, unarchive, snooze, unsnooze. */
  change(user: AuthUser, change: StateChange, payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.answer(async () => {
      const until = change === 'snooze' ? stringField(payload, 'until') : undefined;
      return { notification: await this.triage.changeOne(user.id, stringField(payload, 'id'), change, until) };
    });
  }

  acknowledge(user: AuthUser, payload: unknown): Promise<Ack<{ notification: NotificationDto }>> {
    return this.answer(async () => ({ notification: await this.notifications.acknowledge(user.id, stringField(payload, 'id')) }));
  }

  /** `{ id }` or `{ ids }`: a client acknowledging a burst of new notifications sends one message. */
  delivered(user: AuthUser, payload: unknown): Promise<Ack> {
    return this.answer(async () => {
      const ids = field(payload, 'ids') === undefined ? [stringField(payload, 'id')] : idList(payload);
      await this.notifications.recordDelivered(user.id, ids);
      return {};
    });
  }

  seen(user: AuthUser, payload: unknown): Promise<Ack<SeenResult>> {
    return this.answer(async () => ({ updated: await this.notifications.recordSeen(user.id, idList(payload)) }));
  }

  markAllRead(user: AuthUser): Promise<Ack<{ updated: number }>> {
    return this.answer(async () => ({ updated: await this.notifications.markAllRead(user.id) }));
  }

  /** Replays to this connection what came after `afterSeq` (before the answer), then the count. */
  sync(connection: ClientConnection, payload: unknown): Promise<Ack<SyncResult>> {
    return this.answer(async () => {
      const afterSeq = parseSeq(field(payload, 'afterSeq'));
      if (afterSeq === null) throw new InvalidInputError('afterSeq must be a seq');
      return this.catchUp.sync(connection, afterSeq);
    });
  }

  /** Runs a command: its result as `{ ok: true, ... }`, a refusal as `{ ok: false, error }`. */
  async answer<T extends object>(work: () => Promise<T>): Promise<Ack<T>> {
    try {
      return { ok: true, ...(await work()) } as Ack<T>;
    } catch (error) {
      const code = COMMAND_ERRORS.find(([type]) => error instanceof type)?.[1];
      if (code) return { ok: false, error: code };
      this.logger.error(`socket command failed: ${error instanceof Error ? error.stack : String(error)}`);
      return { ok: false, error: SocketError.ServerError };
    }
  }
}

function field(payload: unknown, name: string): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidInputError('the payload must be an object');
  return (payload as Record<string, unknown>)[name];
}

/** A string field of 1 to 200 characters (an id, a channel). */
export function stringField(payload: unknown, name: string): string {
  const value = field(payload, name);
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw new InvalidInputError(`${name} must be a string of 1 to 200 characters`);
  return value;
}

function idList(payload: unknown): string[] {
  const ids = field(payload, 'ids');
  const valid = Array.isArray(ids) && ids.length >= 1 && ids.length <= MAX_SEEN_BATCH && ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 200);
  if (!valid) throw new InvalidInputError(`ids must be a list of 1 to ${MAX_SEEN_BATCH} notification ids`);
  return ids as string[];
}
