// First: the collector's settings apply to everything loaded after them.
import './gc-tuning';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { DEMO_USERS } from './database/demo-users';
import { exitGracefullyOn } from './graceful-shutdown';

const LISTEN_BACKLOG = 4096;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Invalid configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  // A deep accept queue: after a restart every client reconnects within seconds, and SYNs the
  // kernel drops on a full queue are retried only after 1, 3, 7… seconds.
  await app.init();
  await new Promise<void>((resolve, reject) => {
    const server = app.getHttpServer();
    server.once('error', reject);
    server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, resolve);
  });
  // app.listen() would flush the start-up logs held back until the JSON logger was in place.
  app.flushLogs();
  exitGracefullyOn(['SIGTERM', 'SIGINT'], app, config.shutdownTimeoutSeconds * 1000);
  const logger = new Logger('Main');
  if (config.jwtSecretGenerated) {
    logger.warn('JWT_SECRET is not set: using a random secret; access tokens end when the process does');
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  logger.log(`Clinic notifications listening on http://${host}:${port}`);
  // Logs are JSON lines for machines; a person starting it in a terminal gets the essentials.
  if (process.stdout.isTTY) {
    console.log(`\n  Clinic notifications: http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`);
    if (config.seedDemoUsers) {
      for (const user of DEMO_USERS) console.log(`  ${user.role.padEnd(5)}  ${user.email.padEnd(20)}  ${user.password}`);
    }
    console.log('');
  }
}

void main();
