import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The native schema engine cannot be downloaded here; point the CLI at a stub that explains why
// (not /bin/true, which would make `migrate` appear to succeed while doing nothing).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(__dirname, 'prisma/tools/no-schema-engine.sh');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'node backend/scripts/seed.js' },
  // process.env rather than Prisma's env(): env() throws when DATABASE_URL is unset, and
  // `prisma generate` (run on every install) does not need a database.
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
