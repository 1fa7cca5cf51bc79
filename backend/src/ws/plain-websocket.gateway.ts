import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import WebSocket, { RawData, WebSocketServer } from 'ws';
import { Ack, PLAIN_WEBSOCKET_PING_INTERVAL_MS, PlainClientMessage, PlainClientMessageType, PlainCloseCode, SocketError } from '@clinic/contracts';
import type { AuthUser } from '../auth/auth-user';
import { isAllowedOrigin } from '../common/allowed-origin';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { CatchUpService } from '../notifications/catch-up.service';
import { NotificationCommands } from '../notifications/notification-commands';
import { NotificationPublisher } from '../notifications/notification-publisher';
import { MAX_CLIENT_MESSAGE_BYTES, SlotHolder, SocketLimits } from '../realtime/socket-limits';
import { SocketRateLimiter } from '../realtime/socket-rate-limiter';
import { SessionsService } from '../sessions/sessions.service';
import { PlainConnectionRegistry, PlainWebSocketConnection } from './plain-connection';
import { parseClientMessage } from './plain-messages';
import { credentialsOf, isPlainWebSocketUpgrade, selectProtocol } from './plain-websocket-request';

/** Longest delay setTimeout accepts; a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** On shutdown, how long clients have to answer the close frame before their connections are cut. */
const CLOSE_GRACE_MS = 1000;
/** The close reason of a shutdown (no SocketError code applies: nothing is wrong with the client). */
const SHUTTING_DOWN = 'shutting-down';

type Command = (connection: PlainWebSocketConnection, payload: unknown) => Promise<Ack>;

/** What the checks before the upgrade decided: a user holding a connection slot, or the close that follows the upgrade. */
type Admission = { user: AuthUser; slot: SlotHolder & { connected: boolean }; changeMark: number } | { refusal: { code: number; reason: string } };

/**
 * The plain WebSocket endpoint (`/ws/notifications/`) for clients that do not speak Socket.IO:
 * the same token and session checks as the Socket.IO handshake, the same connection slots, event
 * budget and size limit, the same catch-up and commands. Socket concerns only: what it sends
 * comes from NotificationPublisher (see PlainConnectionRegistry.deliver), which feeds Socket.IO
 * and these clients alike on every node.
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
  });
  private readonly connections = new PlainConnectionRegistry();
  private readonly expiryTimers = new Map<PlainWebSocketConnection, NodeJS.Timeout>();
  private readonly commandsByType: ReadonlyMap<string, Command>;
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;
  /** Numbers the session re-checks; a connection keeps the rooms of the latest that reached it. */
  private rechecks = 0;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: SessionsService,
    private readonly commands: NotificationCommands,
    private readonly catchUp: CatchUpService,
    private readonly publisher: NotificationPublisher,
    private readonly metrics: MetricsService,
    private readonly limits: SocketLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A Map: a client's `type` such as "constructor" must not find anything.
    this.commandsByType = new Map<Exclude<PlainClientMessageType, 'ping'>, Command>([
      [PlainClientMessage.Sync, (connection, payload) => this.commands.sync(connection, payload)],
      [PlainClientMessage.MarkRead, (connection, payload) => this.commands.markRead(connection.data.user, payload)],
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
    // Every node hears every session end and user change (SessionChanges): each ends its own clients.
    this.sessions.changes.on('session-ended', (sessionId) => {
      for (const connection of this.connections.inSession(sessionId)) connection.end(SocketError.SessionRevoked);
    });
    this.sessions.changes.on('user-changed', (userId) => void this.recheck(this.connections.ofUser(userId)));
    this.sessions.changes.on('resync', () => void this.recheck(this.connections.all()));
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
    const admission = await this.admit(request);
    socket.off('error', destroy);
    // Not called when the client left meanwhile or sent a malformed handshake (ws answers 400):
    // SocketLimits then frees the slot, which never connected.
    this.server.handleUpgrade(request, socket, head, (webSocket) => this.open(webSocket, request, admission));
  }

  /** The handshake's checks, as the Socket.IO gateway's: token and session, then a connection slot. */
  private async admit(request: IncomingMessage): Promise<Admission> {
    const changeMark = this.sessions.changeMark;
    let user: AuthUser | null;
    try {
      user = await this.sessions.authenticate(credentialsOf(request).token);
    } catch (error) {
      this.logger.warn(`plain websocket refused, sessions cannot be checked: ${error instanceof Error ? error.message : String(error)}`);
      return { refusal: { code: PlainCloseCode.ServerError, reason: SocketError.ServerError } };
    }
    if (!user) return { refusal: { code: PlainCloseCode.Unauthorized, reason: SocketError.Unauthorized } };
    const slot = { id: `ws:${randomUUID()}`, connected: false };
    if (!(await this.limits.admit(slot, user.id))) return { refusal: { code: PlainCloseCode.TooManyConnections, reason: SocketError.TooManyConnections } };
    return { user, slot, changeMark };
  }

  private open(webSocket: WebSocket, request: IncomingMessage, admission: Admission): void {
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
    if (this.sessions.changedSince(changeMark, user.sessionId, user.id)) {
      this.limits.release(slot, user.id);
      return webSocket.close(PlainCloseCode.ServerError, SocketError.ServerError);
    }
    slot.connected = true;
    const connection = new PlainWebSocketConnection(slot.id, webSocket, user, new SocketRateLimiter(this.config.socketEventBurst, this.config.socketEventsPerSecond));
    this.connections.add(connection);
    this.scheduleExpiry(connection, user.exp * 1000);
    this.metrics.connectedPlainWebSockets.inc();
    this.logger.log({ msg: 'plain websocket connected', connectionId: connection.id, userId: user.id });

    webSocket.on('message', (data, isBinary) => void this.handleMessage(connection, data, isBinary));
    webSocket.on('pong', () => (connection.alive = true));
    webSocket.on('close', (code) => {
      this.connections.remove(connection);
      clearTimeout(this.expiryTimers.get(connection));
      this.expiryTimers.delete(connection);
      this.limits.release(slot, connection.data.user.id);
      this.metrics.connectedPlainWebSockets.dec();
      this.logger.log({ msg: 'plain websocket disconnected', connectionId: connection.id, userId: connection.data.user.id, code });
    });
    void this.catchUpOnConnect(connection, credentialsOf(request).lastSeq);
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
    }
  }

  /**
   * Asks the database again about these connections' sessions: ends those whose session no
   * longer holds, moves the others to their user's current role. Of two re-checks answering out
   * of order, the one that began later read the later state and wins.
   */
  private async recheck(connections: PlainWebSocketConnection[]): Promise<void> {
    if (connections.length === 0) return;
    const recheck = ++this.rechecks;
    try {
      const active = await this.sessions.activeSessions([...new Set(connections.map((connection) => connection.data.user.sessionId))]);
      for (const connection of connections) {
        const session = active.get(connection.data.user.sessionId);
        if (!session) {
          connection.end(SocketError.SessionRevoked);
        } else if (connection.lastRecheck < recheck) {
          connection.lastRecheck = recheck;
          this.connections.moveTo(connection, { ...connection.data.user, role: session.role, teamIds: session.teamIds });
        }
      }
    } catch (error) {
      this.logger.warn(`re-checking the sessions of plain websockets failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Ends the connection when its token expires, saying why, so the client refreshes the token and reconnects. */
  private scheduleExpiry(connection: PlainWebSocketConnection, expiresAt: number): void {
    const timer = setTimeout(
      () => {
        if (Date.now() < expiresAt) return this.scheduleExpiry(connection, expiresAt);
        this.expiryTimers.delete(connection);
        connection.end(SocketError.TokenExpired);
      },
      Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS),
    );
    timer.unref();
    this.expiryTimers.set(connection, timer);
  }

  /** A connection that has not answered the previous ping is gone (a dead peer, a dropped network): cut it. */
  private pingAll(): void {
    for (const connection of this.connections.all()) {
      if (connection.alive) connection.ping();
      else connection.terminate();
    }
  }
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
