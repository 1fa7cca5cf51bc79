#!/usr/bin/env node
'use strict';
// `npm run seed`: creates the demo accounts (backend/src/database/demo-users.ts) in the database
// at DATABASE_URL, after applying any pending migrations. Accounts that exist are left as they
// are; the log names emails only. Refused with NODE_ENV=production, as SEED_DEMO_USERS is. The
// embedded database needs none of this: it seeds itself when the backend starts.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/clinic npm run seed
//
// Runs the built backend (the root script builds it first), so the seeding is the one it does.
const path = require('node:path');
const { Logger } = require('@nestjs/common');

const DIST = path.join(__dirname, '../dist/backend/src');
const { loadConfig } = require(path.join(DIST, 'config/app-config.js'));
const { seedDemoUsers } = require(path.join(DIST, 'database/demo-users.js'));
const { migrations } = require(path.join(DIST, 'database/migrations.js'));
const { PrismaService } = require(path.join(DIST, 'database/prisma.service.js'));

async function seed() {
  if (!process.env.DATABASE_URL) {
    throw new Error('set DATABASE_URL to the database to seed (the embedded database seeds itself on start)');
  }
  // Only what seeding depends on: the URL checked and the production refusal, as a node would apply them.
  const { databaseUrl } = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, NODE_ENV: process.env.NODE_ENV, SEED_DEMO_USERS: 'true' });
  const logger = new Logger('Seed');
  await migrations.applyMigrations(databaseUrl, (line) => logger.log(line));
  const prisma = PrismaService.connect(databaseUrl, null, 1);
  try {
    await seedDemoUsers(prisma, logger);
  } finally {
    await prisma.onModuleDestroy();
  }
}

seed().catch((error) => {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
