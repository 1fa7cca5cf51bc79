import path from 'node:path';
import { REPO_ROOT } from '../config/repo-root';

interface MigrationRunner {
  applyMigrations(connectionString: string, log?: (line: string) => void): Promise<string[]>;
  pendingMigrations(queryRows: (sql: string) => Promise<Array<{ migration_name: string }>>): Promise<string[]>;
  listMigrations(): Array<{ name: string; sql: string; checksum: string }>;
}

// prisma/migrate.js is plain JavaScript so operators can run it without building the backend;
// the backend loads the same runner so both apply migrations identically.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const migrations: MigrationRunner = require(path.join(REPO_ROOT, 'prisma', 'migrate.js'));
