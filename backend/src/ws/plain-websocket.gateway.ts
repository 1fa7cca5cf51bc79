import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import WebSocket, { RawData, WebSocketServer } from 'ws';
import { Ack, PLAIN_WEBSOCKET_PING_INTERVAL_MS, PlainClientMessage, PlainClientMessageType, PlainCloseCode, SocketError, SocketErrorCode } from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { isAllowedOrigin } from '../common/allowed-origin';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { CatchUpService } from '../notifications/catch-up.service';
import { NotificationCommands } from '../notifications/notification-commands';
import { NotificationPublisher } from '../notifications/notification-publisher';
import { ConnectionSessions } from '../realtime/connection-sessions';
import { MAX_CLIENT_MESSAGE_BYTES, SlotHolder, SocketLimits } from '../realtime/socket-limits';
import { SocketRateLimiter } from '../realtime/socket-rate-limiter';
import { SessionsService } from '../sessions/sessions.service';
import { PlainConnectionRegistry, PlainWebSocketConnection } from './plain-connection';
import { parseClientMessage } from './plain-messages';
import { credentialsOf, isPlainWebSocketUpgrade, PlainWebSocketCredentials, selectProtocol } from './plain-websocket-request';

/** On shutdown, how long clients have to answer the close frame before their connections are cut. */
const CLOSE_GRACE_MS = 1000;
/**
 * How long an upgrade may wait for its checks (sessions, slot) before it is answered 503, as
 * Socket.IO's connectTimeout bounds its handshake: a stalled database must not pile up sockets.
 */
export const PLAIN_ADMISSION_TIMEOUT_MS = 10_000;
/**
 * How long a closed connection waits for the client's close frame before it is cut (ws's default
 * is 30 s): a refused client (4003, 4029, 1011) that does not answer must not hold its socket.
 */
const CLOSE_TIMEOUT_MS = 2000;
/** The close reason of a shutdown (no SocketError code applies: nothing is wrong with the client). */
const SHUTTING_DOWN = 'shutting-down';

type Command = (connection: PlainWebSocketConnection, payload: unknown) => Promise<Ack>;

/** The close code of each refusal the handshake's checks give; any other is a server error. */
const REFUSAL_CLOSE_CODES: Partial<Record<SocketErrorCode, number>> = {
  [SocketError.Unauthorized]: PlainCloseCode.Unauthorized,
  [SocketError.TooManyConnections]: PlainCloseCode.TooManyConnections,
  [SocketError.ServerError]: PlainCloseCode.ServerError,
};

/** What the checks before the upgrade decided: a user holding a connection slot, or the close that follows the upgrade. */
type Admission = { user: AuthUser; slot: SlotHolder; changeMark: number } | { refusal: { code: number; reason: string } };

/**
 * The plain WebSocket endpoint (`/ws/notifications/`) for clients that do not speak Socket.IO:
 * the same token and session checks as the Socket.IO handshake, the same connection slots, event
 * budget and size limit, the same catch-up and commands, the same session rules
 * (ConnectionSessions). Socket concerns only: what it sends comes from NotificationPublisher,
 * whose broadcasts the Socket.IO adapter hands to this node's registry as it writes them to this
 * node's sockets (realtime/local-broadcasts.ts), on every node.
 *
 * `ws` in noServer mode on the API's HTTP server: it answers only this path's upgrades
 * (SocketIoAdapter refuses other paths with 404). Each upgrade is checked before it completes
 * (Origin, token, session, slot) and then accepted either way, so that a refusal arrives as a
 * close code the client can act on (4003 `unauthorized`) rather than a bare HTTP status.
 */
@Injectable()
export class PlainWebSocketGateway implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PlainWebSocketGateway.name);
  private readonly server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // Anything bigger closes the connection with 1009 before it is parsed.
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    // A zlib context per connection for payloads of a few hundred bytes: not worth the memory.
    perMessageDeflate: false,
    handleProtocols: selectProtocol,
    // ws (8.23 here) takes it; @types/ws does not list it.
    closeTimeout: CLOSE_TIMEOUT_MS,
  } as ConstructorParameters<typeof WebSocketServer>[0]);
  private readonly connections = new PlainConnectionRegistry();
  private readonly commandsByType: ReadonlyMap<string, Command>;
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;
  /** Admission, token expiry and session re-checks, shared with the Socket.IO gateway. */
  private readonly sessionRules: ConnectionSessions<PlainWebSocketConnection>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    sessions: SessionsService,
    private readonly commands: NotificationCommands,
    private readonly catchUp: CatchUpService,
    private readonly publisher: NotificationPublisher,
    private readonly metrics: MetricsService,
    private readonly limits: SocketLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sessionRules = new ConnectionSessions<PlainWebSocketConnection>(
      sessions,
      limits,
      {
        userOf: (connection) => connection.data.user,
        end: (connection, reason) => connection.end(reason),
        endSession: (sessionId) => {
          for (const connection of this.connections.inSession(sessionId)) connection.end(SocketError.SessionRevoked);
        },
        moveTo: (connection, session) => this.connections.moveTo(connection, { ...connection.data.user, role: session.role, teamIds: session.teamIds }),
        connections: (userId) => (userId ? this.connections.ofUser(userId) : this.connections.all()),
      },
      this.logger,
    );
    // A Map: a client's `type` such as "constructor" must not find anything.
    this.commandsByType = new Map<Exclude<PlainClientMessageType, 'ping'>, Command>([
      [PlainClientMessage.Sync, (connection, payload) => this.commands.sync(connection, payload)],
      [PlainClientMessage.MarkRead, (connection, payload) => this.commands.change(connection.data.user, 'read', payload)],
      [PlainClientMessage.MarkUnread, (connection, payload) => this.commands.change(connection.data.user, 'unread', payload)],
      [PlainClientMessage.Archive, (connection, payload) => this.commands.change(connection.data.user, 'archive', payload)],
      [PlainClientMessage.Unarchive, (connection, payload) => this.commands.change(connection.data.user, 'unarchive', payload)],
      [PlainClientMessage.Snooze, (connection, payload) => this.commands.change(connection.data.user, 'snooze', payload)],
      [PlainClientMessage.Unsnooze, (connection, payload) => this.commands.change(connection.data.user, 'unsnooze', payload)],
      [PlainClientMessage.MarkAllRead, (connection) => this.commands.markAllRead(connection.data.user)],
      [PlainClientMessage.Ack, (connection, payload) => this.commands.acknowledge(connection.data.user, payload)],
      [PlainClientMessage.Delivered, (connection, payload) => this.commands.delivered(connection.data.user, payload)],
      [PlainClientMessage.Seen, (connection, payload) => this.commands.seen(connection.data.user, payload)],
    ]);
  }

  onApplicationBootstrap(): void {
    this.publisher.attachPlainConnections(this.connections);
    this.adapterHost.httpAdapter.getHttpServer().on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (isPlainWebSocketUpgrade(request)) void this.upgrade(request, socket, head);
    });
    // Every node hears every session end and user change (SessionChanges): each ends or moves its own clients.
    this.sessionRules.watchChanges();
    this.heartbeat = setInterval(() => this.pingAll(), PLAIN_WEBSOCKET_PING_INTERVAL_MS).unref();
  }

  /**
   * Shutdown: refuses new upgrades and closes every connection with 1001, so clients reconnect
   * (through the load balancer, to another node) and catch up there with their `lastSeq`.
   * Resolves once they are closed; a client that does not answer within CLOSE_GRACE_MS is cut.
   */
  async closeConnections(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const connection of this.connections.all()) connection.close(PlainCloseCode.GoingAway, SHUTTING_DOWN);
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.connections.size > 0 && Date.now() < deadline) await delay(20);
    for (const connection of this.connections.all()) connection.terminate();
  }

  async onModuleDestroy(): Promise<void> {
    await this.closeConnections();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.closing) return refuseUpgrade(socket, '503 Service Unavailable');
    // A browser page of another origin may not use the user's token (as for Socket.IO).
    if (!isAllowedOrigin(request.headers.origin, request.headers.host, this.config)) return refuseUpgrade(socket, '403 Forbidden');
    // Node's HTTP server stops watching a socket it hands over for an upgrade: a reset during the
    // checks below would otherwise be an uncaught error.
    const destroy = () => socket.destroy();
    socket.on('error', destroy);
    const credentials = credentialsOf(request);
    const checks = this.admit(credentials);
    const admission = await withDeadline(checks, PLAIN_ADMISSION_TIMEOUT_MS);
    socket.off('error', destroy);
    if (admission === null) {
      this.logger.warn(`plain websocket refused: its checks took over ${PLAIN_ADMISSION_TIMEOUT_MS} ms`);
      // A slot the checks still take is freed by SocketLimits: it never connects.
      return refuseUpgrade(socket, '503 Service Unavailable');
    }
    // Not called when the client left meanwhile or sent a malformed handshake (ws answers 400):
    // SocketLimits then frees the slot, which never connected.
    this.server.handleUpgrade(request, socket, head, (webSocket) => this.open(webSocket, credentials, admission));
  }

  /** The handshake's checks, as the Socket.IO gateway's (ConnectionSessions.admit): token and session, then a connection slot. */
  private async admit(credentials: PlainWebSocketCredentials): Promise<Admission> {
    const slot = { id: `ws:${randomUUID()}`, connected: false };
    const admission = await this.sessionRules.admit(credentials.token, slot, 'plain websocket');
    if ('refusal' in admission) return { refusal: { code: REFUSAL_CLOSE_CODES[admission.refusal] ?? PlainCloseCode.ServerError, reason: admission.refusal } };
    return { ...admission, slot };
  }

  private open(webSocket: WebSocket, credentials: PlainWebSocketCredentials, admission: Admission): void {
    // Before anything else: a protocol error (an oversized frame) is reported here, then the connection closes.
    webSocket.on('error', (error) => this.logger.debug(`plain websocket error: ${error.message}`));
    if ('refusal' in admission) return webSocket.close(admission.refusal.code, admission.refusal.reason);
    const { user, slot, changeMark } = admission;
    if (this.closing) {
      this.limits.release(slot, user.id);
      return webSocket.close(PlainCloseCode.GoingAway, SHUTTING_DOWN);
    }
    // The session ended or its user changed while the checks waited: that notice found no
    // connection to end. Refused as a retry, which checks afresh.
    if (this.sessionRules.changedSince(changeMark, user)) {
      this.limits.release(slot, user.id);
      return webSocket.close(PlainCloseCode.ServerError, SocketError.ServerError);
    }
    slot.connected = true;
    const limiter = new SocketRateLimiter(this.config.socketEventBurst, this.config.socketEventsPerSecond);
    const connection = new PlainWebSocketConnection(slot.id, webSocket, user, limiter, (slow) => this.cutSlowReader(slow));
    // What it missed (or its count) comes first; live events meanwhile wait (see catchUpOnConnect).
    connection.holdLive();
    this.connections.add(connection);
    this.sessionRules.scheduleExpiry(connection, user.exp * 1000);
    this.metrics.connectedPlainWebSockets.inc();
    this.logger.log({ msg: 'plain websocket connected', connectionId: connection.id, userId: user.id });

    webSocket.on('message', (data, isBinary) => void this.handleMessage(connection, data, isBinary));
    webSocket.on('pong', () => (connection.alive = true));
    webSocket.on('close', (code) => {
      this.connections.remove(connection);
      this.sessionRules.forget(connection);
      this.limits.release(slot, connection.data.user.id);
      this.metrics.connectedPlainWebSockets.dec();
      this.logger.log({ msg: 'plain websocket disconnected', connectionId: connection.id, userId: connection.data.user.id, code });
    });
    void this.catchUpOnConnect(connection, credentials.lastSeq);
  }

  /** The client stopped reading: what was queued for it passed the limit, and the connection is cut. */
  private cutSlowReader(connection: PlainWebSocketConnection): void {
    this.metrics.plainWebSocketSlowReaders.inc();
    this.logger.warn({ msg: 'plain websocket cut: the client stopped reading', connectionId: connection.id, userId: connection.data.user.id });
  }

  /** Every client message is answered (`pong` or `result` with its requestId), within the connection's event budget. */
  private async handleMessage(connection: PlainWebSocketConnection, data: RawData, isBinary: boolean): Promise<void> {
    const verdict = connection.limiter.take();
    if (verdict === 'disconnect') return connection.end(SocketError.RateLimited, PlainCloseCode.Flooding);
    const message = parseClientMessage(data, isBinary);
    if (verdict === 'refuse') return connection.answer(message?.requestId, { ok: false, error: SocketError.RateLimited });
    if (message?.type === PlainClientMessage.Ping) return connection.pong(message.requestId);
    const command = message && this.commandsByType.get(message.type);
    if (!command) return connection.answer(message?.requestId, { ok: false, error: SocketError.InvalidPayload });
    connection.answer(message.requestId, await command(connection, message.payload));
  }

  /** What the client missed since `lastSeq`, or its unread count (see CatchUpService.onConnect). */
  private async catchUpOnConnect(connection: PlainWebSocketConnection, lastSeq: string | undefined): Promise<void> {
    try {
      await this.catchUp.onConnect(connection, lastSeq);
    } catch (error) {
      // As for Socket.IO: rather closed (the client reconnects after its back-off, cursor
      // unchanged) than connected without what it missed.
      this.logger.warn(`catch-up for plain websocket ${connection.id} failed, closing it so the client retries: ${error instanceof Error ? error.message : String(error)}`);
      connection.close(PlainCloseCode.ServerError, SocketError.ServerError);
    } finally {
      // The live events that came meanwhile, without the notifications the replay already held.
      connection.releaseLive();
    }
  }

  /** A connection that has not answered the previous ping is gone (a dead peer, a dropped network): cut it. */
  private pingAll(): void {
    for (const connection of this.connections.all()) {
      if (connection.alive) connection.ping();
      else connection.terminate();
    }
  }
}

/** The work's result, or null when it has not settled within `ms` (its rejection is the caller's, as without a deadline). */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | null> {
  const timedOut = new AbortController();
  try {
    return await Promise.race([work, delay(ms, null, { signal: timedOut.signal })]);
  } finally {
    timedOut.abort();
  }
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
