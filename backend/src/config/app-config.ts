import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { MAX_ESCALATION_SECONDS, MIN_PASSWORD_LENGTH } from '@clinic/contracts';
import { REPO_ROOT } from './repo-root';

/** Everything the process reads from its environment, validated once at start-up. */
export interface AppConfig {
  /** NODE_ENV=production: no demo accounts, strong secrets, docs and metrics closed (docs/security.md). */
  production: boolean;
  port: number;
  host: string;
  /** PostgreSQL server; when absent an embedded PGlite database is used. */
  databaseUrl: string | null;
  /** Connections this process opens to PostgreSQL at most (the embedded database has one). */
  databasePoolSize: number;
  /** Folder of the embedded database (`memory://` keeps it in memory, for tests). */
  embeddedDataDir: string;
  redisUrl: string | null;
  jwtSecret: string;
  /** True when no JWT_SECRET was given and a random one was generated for this process. */
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Seed the demo accounts on start (defaults to on for the embedded database; refused in production). */
  seedDemoUsers: boolean;
  /** The first admin, created on start when the database has no admin yet (INITIAL_ADMIN_EMAIL/PASSWORD). */
  initialAdmin: { email: string; password: string } | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Folder of the built Angular app to serve, or null to serve only the API. */
  frontendDir: string | null;
  /**
   * The reverse proxies (addresses, CIDRs, or Express's names loopback/linklocal/uniquelocal) whose
   * X-Forwarded-For is believed; empty: the client address is the connection's.
   */
  trustProxy: string[];
  /** Sign-in attempts per account (email), from any address, within the login window; a success gives its point back. */
  loginMaxFailures: number;
  loginWindowSeconds: number;
  /** Sign-in attempts from one address, whatever the email, within the login window: stops a password spray. */
  loginMaxFailuresPerAddress: number;
  /** Password hashes (scrypt) computed at once by this process, and how many more may wait; beyond, 503. */
  hashConcurrency: number;
  hashQueueLimit: number;
  /** Notifications one admin may send per minute (POST /notifications/test), cluster-wide. */
  adminSendRateLimit: number;
  /** Orders one user may create per minute, cluster-wide. */
  orderCreateRateLimit: number;
  /** Client events per second one socket may send on average, in bursts of `socketEventBurst`. */
  socketEventsPerSecond: number;
  socketEventBurst: number;
  /** Open sockets one user may hold (cluster-wide with Redis); the next handshake is refused. */
  maxSocketsPerUser: number;
  /** On SIGTERM, how long in-progress requests may take before the process exits anyway. */
  shutdownTimeoutSeconds: number;
  /** The address users open (`https://clinic.example`), for links and as an allowed origin; null when unset. */
  publicUrl: string | null;
  /** CLINIC_CURRENCY: the ISO 4217 code amounts (order totals) are shown in. */
  clinicCurrency: string;
  /** Other origins (`https://host[:port]`) whose pages may open sockets and refresh sessions. */
  allowedOrigins: string[];
  /** Serve the OpenAPI UI and document at /api/docs (always outside production). */
  apiDocs: boolean;
  /** Serve /api/metrics on this internal port only (null: on the app port, token-protected in production). */
  metricsPort: number | null;
  /** Bearer token /api/metrics requires (required in production unless METRICS_PORT is set). */
  metricsToken: string | null;
  /** This node's name in the audit log (NODE_NAME; the host name and process id by default). */
  nodeName: string;
  /** A CRITICAL send without an escalation of its own escalates to the admins after this long. */
  criticalEscalateAfterSeconds: number;
  /** Escalation steps of one send at most, one every `afterSeconds`. */
  escalationMaxSteps: number;
  /** The shortest `escalation.afterSeconds` a send may ask for (tests lower it). */
  escalationMinSeconds: number;
  /** Outgoing mail server (`smtp://user:pass@host:587`, `smtps://…`); null keeps mail in the outbox. */
  smtpUrl: string | null;
  /** The From of every mail. */
  mailFrom: string;
  /** A Twilio-compatible SMS API (`https://api.twilio.com/2010-04-01`) and its credentials; null: SMS are logged and kept in the outbox. */
  sms: { url: string; accountSid: string; authToken: string; from: string } | null;
  /** External channels carry the notification's title and message (patient data!) only when true. */
  externalChannelsIncludeContent: boolean;
  /** Provider calls per delivery before it is dead-lettered, and the first retry's delay (doubling after). */
  deliveryMaxAttempts: number;
  deliveryRetryDelaySeconds: number;
  /** A HIGH notification still unread this long after it was sent goes out by email too. */
  emailUnreadAfterSeconds: number;
  /** How often each node looks for users whose daily digest is due. */
  digestCheckSeconds: number;
  /** Calls per second each provider may receive from this node. */
  emailPerSecond: number;
  smsPerSecond: number;
  /**
   * Days a notification is kept once read (its email and SMS deliveries too), while never read
   * (one awaiting acknowledgement is kept until acknowledged), and days an audit entry is kept;
   * 0: for ever. Counted from creation. See docs/operations.md, "Retention".
   */
  retentionReadDays: number;
  retentionUnreadDays: number;
  retentionAuditDays: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A hundred years: a longer retention is "for ever", which is 0. */
const MAX_RETENTION_DAYS = 36_500;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

/** A comma-separated list of origins, each `scheme://host[:port]` with nothing after it. */
function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(`${name} must list origins such as https://clinic.example (got "${value}")`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== value.replace(/\/$/, '')) {
      throw new ConfigError(`${name} must list origins such as https://clinic.example, without a path (got "${value}")`);
    }
    return parsed.origin;
  });
}

/** Names Express's `trust proxy` knows besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as a comma-separated list for Express's `trust proxy`. `true` and hop counts are
 * refused: they believe whatever X-Forwarded-For a client that reaches the node directly sends.
 */
function proxyList(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = (env[name] ?? '').trim();
  if (raw === '' || raw.toLowerCase() === 'false') return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    const [address, prefix, ...rest] = value.split('/');
    const version = isIP(address);
    const validPrefix = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
    if (PROXY_RANGE_NAMES.includes(value) || (version !== 0 && validPrefix && rest.length === 0)) return value;
    throw new ConfigError(
      `${name} must list the proxies whose X-Forwarded-For is believed, as addresses, CIDRs or ${PROXY_RANGE_NAMES.join('/')} ` +
        `(e.g. TRUST_PROXY=10.0.0.0/8,127.0.0.1), or be false (got "${value}")`,
    );
  });
}

function url(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/**
 * Variety, not only length: "changeme" repeated to 32 characters has 7 different characters; a
 * random base64 secret of 32 characters practically always has more than 12, a random hex one of
 * 64 fails with a chance of 5 in a million (of 32 hex characters, 1.7 % fail: too short anyway).
 */
const STRONG_SECRET_DISTINCT_CHARACTERS = 12;

function isStrongSecret(secret: string): boolean {
  return new Set(secret).size >= STRONG_SECRET_DISTINCT_CHARACTERS;
}

/** SMS_PROVIDER_URL with SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM, all or none. */
function smsOf(env: NodeJS.ProcessEnv): AppConfig['sms'] {
  const providerUrl = url(env, 'SMS_PROVIDER_URL', ['http:', 'https:']);
  const { SMS_ACCOUNT_SID: accountSid, SMS_AUTH_TOKEN: authToken, SMS_FROM: from } = env;
  if (!providerUrl) {
    if (accountSid || authToken || from) throw new ConfigError('SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM need SMS_PROVIDER_URL');
    return null;
  }
  if (!accountSid || !authToken || !from) throw new ConfigError('SMS_PROVIDER_URL needs SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM');
  return { url: providerUrl.replace(/\/$/, ''), accountSid, authToken, from };
}

function initialAdminOf(env: NodeJS.ProcessEnv): AppConfig['initialAdmin'] {
  const email = env.INITIAL_ADMIN_EMAIL?.trim().toLowerCase();
  const password = env.INITIAL_ADMIN_PASSWORD ?? '';
  if (!email && !password) return null;
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new ConfigError('INITIAL_ADMIN_EMAIL must be an email address when INITIAL_ADMIN_PASSWORD is set');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ConfigError(`INITIAL_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  return { email, password };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const databaseUrl = url(env, 'DATABASE_URL', ['postgresql:', 'postgres:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const production = env.NODE_ENV === 'production';

  const jwtSecret = env.JWT_SECRET ?? '';
  if (jwtSecret && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters long');
  }
  if (production && jwtSecret && !isStrongSecret(jwtSecret)) {
    throw new ConfigError(
      `JWT_SECRET is too guessable for production: use at least ${STRONG_SECRET_DISTINCT_CHARACTERS} different characters, e.g. \`openssl rand -base64 48\``,
    );
  }
  const seedDemoUsers = boolean(env, 'SEED_DEMO_USERS', !databaseUrl && !production);
  const initialAdmin = initialAdminOf(env);
  if (production && seedDemoUsers) {
    throw new ConfigError('SEED_DEMO_USERS=true is refused when NODE_ENV=production: the demo accounts have published passwords');
  }
  // Several nodes must verify each other's tokens, so they need one shared secret.
  if (!jwtSecret && (production || redisUrl)) {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production or REDIS_URL is set');
  }

  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  }

  const frontendDir =
    env.FRONTEND_DIR === '' ? null : path.resolve(env.FRONTEND_DIR ?? path.join(REPO_ROOT, 'frontend/dist/browser'));

  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']);

  const clinicCurrency = env.CLINIC_CURRENCY || 'USD';
  if (!/^[A-Z]{3}$/.test(clinicCurrency) || !Intl.supportedValuesOf('currency').includes(clinicCurrency)) {
    throw new ConfigError(`CLINIC_CURRENCY must be an ISO 4217 currency code such as USD, EUR or MXN (got "${clinicCurrency}")`);
  }

  const metricsPort = env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 1, 65535) : null;
  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken !== null && metricsToken.length < 32) {
    throw new ConfigError('METRICS_TOKEN must be at least 32 characters long, e.g. `openssl rand -base64 32`');
  }
  // The metrics show anyone the load, the users online and every route: never open to the internet.
  if (production && metricsPort === null && metricsToken === null) {
    throw new ConfigError(
      'NODE_ENV=production needs METRICS_PORT (metrics on an internal port of their own) or METRICS_TOKEN ' +
        '(/api/metrics then requires Authorization: Bearer <token>)',
    );
  }

  const escalationMinSeconds = integer(env, 'ESCALATION_MIN_SECONDS', 30, 1, MAX_ESCALATION_SECONDS);

  const retentionReadDays = integer(env, 'RETENTION_READ_DAYS', 90, 0, MAX_RETENTION_DAYS);
  const retentionUnreadDays = integer(env, 'RETENTION_UNREAD_DAYS', 365, 0, MAX_RETENTION_DAYS);
  // An unread notification going before a read one of the same age would lose what nobody saw yet.
  if (retentionUnreadDays !== 0 && (retentionReadDays === 0 || retentionUnreadDays < retentionReadDays)) {
    throw new ConfigError(
      `RETENTION_UNREAD_DAYS (${retentionUnreadDays}) must be at least RETENTION_READ_DAYS (${retentionReadDays || 'for ever'}), or 0 to keep unread notifications for ever`,
    );
  }

  return {
    production,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    embeddedDataDir: env.DATA_DIR || path.join(REPO_ROOT, '.data'),
    redisUrl,
    jwtSecret: jwtSecret || randomBytes(48).toString('base64url'),
    jwtSecretGenerated: !jwtSecret,
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 15 * 60, 1, 24 * 3600),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
    seedDemoUsers,
    initialAdmin,
    logLevel,
    frontendDir,
    trustProxy: proxyList(env, 'TRUST_PROXY'),
    loginMaxFailures: integer(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginWindowSeconds: integer(env, 'LOGIN_WINDOW_SECONDS', 60, 1, 24 * 3600),
    loginMaxFailuresPerAddress: integer(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 1, 100_000),
    // Each scrypt takes a libuv thread (4 by default, shared with file and DNS work) and 64 MiB, and
    // more at once than there are cores only makes each slower; a queue of 16 waits a few seconds at most.
    hashConcurrency: integer(env, 'HASH_CONCURRENCY', 2, 1, 64),
    hashQueueLimit: integer(env, 'HASH_QUEUE_LIMIT', 16, 0, 10_000),
    adminSendRateLimit: integer(env, 'ADMIN_SEND_RATE_LIMIT', 60, 1, 1_000_000),
    orderCreateRateLimit: integer(env, 'ORDER_CREATE_RATE_LIMIT', 120, 1, 1_000_000),
    socketEventsPerSecond: integer(env, 'SOCKET_EVENTS_PER_SECOND', 10, 1, 100_000),
    socketEventBurst: integer(env, 'SOCKET_EVENT_BURST', 30, 1, 100_000),
    maxSocketsPerUser: integer(env, 'MAX_SOCKETS_PER_USER', 10, 1, 10_000),
    // A connection stays taken until the event loop reads its answer, which under load is one
    // turn of the loop later: at 500 sends/s 10 connections were the limit (requests waited for
    // one while PostgreSQL had idle backends).
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 20, 1, 500),
    shutdownTimeoutSeconds: integer(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600),
    publicUrl: publicUrl ? new URL(publicUrl).href.replace(/\/$/, '') : null,
    clinicCurrency,
    allowedOrigins: [...(publicUrl ? [new URL(publicUrl).origin] : []), ...origins(env, 'ALLOWED_ORIGINS')],
    apiDocs: boolean(env, 'API_DOCS', !production),
    metricsPort,
    metricsToken,
    nodeName: nodeNameOf(env),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: env.MAIL_FROM || 'Clinic <no-reply@clinic.invalid>',
    sms: smsOf(env),
    externalChannelsIncludeContent: boolean(env, 'EXTERNAL_CHANNELS_INCLUDE_CONTENT', false),
    deliveryMaxAttempts: integer(env, 'DELIVERY_MAX_ATTEMPTS', 6, 1, 50),
    deliveryRetryDelaySeconds: integer(env, 'DELIVERY_RETRY_DELAY_SECONDS', 10, 1, 3600),
    emailUnreadAfterSeconds: integer(env, 'EMAIL_UNREAD_AFTER_SECONDS', 300, 1, 7 * 24 * 3600),
    emailPerSecond: integer(env, 'EMAIL_RATE_PER_SECOND', 10, 1, 10_000),
    digestCheckSeconds: integer(env, 'DIGEST_CHECK_SECONDS', 60, 1, 3600),
    smsPerSecond: integer(env, 'SMS_RATE_PER_SECOND', 5, 1, 10_000),
    criticalEscalateAfterSeconds: integer(env, 'CRITICAL_ESCALATE_AFTER_SECONDS', 120, escalationMinSeconds, MAX_ESCALATION_SECONDS),
    escalationMaxSteps: integer(env, 'ESCALATION_MAX_STEPS', 3, 1, 20),
    escalationMinSeconds,
    retentionReadDays,
    retentionUnreadDays,
    retentionAuditDays: integer(env, 'RETENTION_AUDIT_DAYS', 730, 0, MAX_RETENTION_DAYS),
  };
}

/** Printable, without spaces, short: it is stored with every audit entry. */
function nodeNameOf(env: NodeJS.ProcessEnv): string {
  const name = env.NODE_NAME ?? `${hostname()}/${process.pid}`.slice(0, 100);
  if (!/^[\x21-\x7e]{1,100}$/.test(name)) throw new ConfigError('NODE_NAME must be 1 to 100 printable characters without spaces');
  return name;
}
