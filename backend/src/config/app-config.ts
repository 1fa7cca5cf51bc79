import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { REPO_ROOT } from './repo-root';

/** Everything the process reads from its environment, validated once at start-up. */
export interface AppConfig {
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
  /** Seed the demo accounts on start (defaults to on for the embedded database). */
  seedDemoUsers: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Folder of the built Angular app to serve, or null to serve only the API. */
  frontendDir: string | null;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (one hop). */
  trustProxy: boolean;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  /** Failed sign-ins from one address, whatever the email, within the login window: stops a password spray. */
  loginMaxFailuresPerAddress: number;
  /** Notifications one admin may send per minute (POST /notifications/test), in bursts of as many. */
  adminSendRateLimit: number;
  /** Client events per second one socket may send on average, in bursts of `socketEventBurst`. */
  socketEventsPerSecond: number;
  socketEventBurst: number;
  /** Open sockets one user may hold on one node; the next handshake is refused. */
  maxSocketsPerUser: number;
  /** On SIGTERM, how long in-progress requests may take before the process exits anyway. */
  shutdownTimeoutSeconds: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const databaseUrl = url(env, 'DATABASE_URL', ['postgresql:', 'postgres:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const production = env.NODE_ENV === 'production';

  const jwtSecret = env.JWT_SECRET ?? '';
  if (jwtSecret && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters long');
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

  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    embeddedDataDir: env.DATA_DIR || path.join(REPO_ROOT, '.data'),
    redisUrl,
    jwtSecret: jwtSecret || randomBytes(48).toString('base64url'),
    jwtSecretGenerated: !jwtSecret,
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 15 * 60, 1, 24 * 3600),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
    seedDemoUsers: boolean(env, 'SEED_DEMO_USERS', !databaseUrl),
    logLevel,
    frontendDir,
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    loginMaxFailures: integer(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginWindowSeconds: integer(env, 'LOGIN_WINDOW_SECONDS', 60, 1, 24 * 3600),
    loginMaxFailuresPerAddress: integer(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 1, 100_000),
    adminSendRateLimit: integer(env, 'ADMIN_SEND_RATE_LIMIT', 60, 1, 1_000_000),
    socketEventsPerSecond: integer(env, 'SOCKET_EVENTS_PER_SECOND', 10, 1, 100_000),
    socketEventBurst: integer(env, 'SOCKET_EVENT_BURST', 30, 1, 100_000),
    maxSocketsPerUser: integer(env, 'MAX_SOCKETS_PER_USER', 10, 1, 10_000),
    // A connection stays taken until the event loop reads its answer, which under load is one
    // turn of the loop later: at 500 sends/s 10 connections were the limit (requests waited for
    // one while PostgreSQL had idle backends).
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 20, 1, 500),
    shutdownTimeoutSeconds: integer(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600),
  };
}
