import { redisServerAvailable } from './processes';

/** What a fault test needs from the machine it runs on. */
export type Requirement = 'DATABASE_URL' | 'REDIS_URL' | 'redis-server';

const WHY: Record<Requirement, string> = {
  DATABASE_URL: 'set DATABASE_URL (a PostgreSQL server)',
  REDIS_URL: 'set REDIS_URL (a Redis server)',
  'redis-server': 'install redis-server',
};

/**
 * `describe`, when the machine has what the suite needs. Otherwise a developer's run skips it with
 * a note on stderr (Jest prints nothing else of a file whose tests are all skipped), and a CI run
 * (CI=true), which must exercise everything, fails instead.
 */
export function describeWith(requirements: Requirement[], title: string, body: () => void): void {
  const missing = requirements.filter((requirement) =>
    requirement === 'redis-server' ? !redisServerAvailable() : !process.env[requirement],
  );
  if (missing.length === 0) {
    describe(title, body);
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it('runs under CI', () => {
        throw new Error(`CI=true but this suite cannot run: ${missing.map((m) => WHY[m]).join(', ')}`);
      });
    });
  } else {
    process.stderr.write(`\n  NOTE: skipped "${title}": ${missing.map((m) => WHY[m]).join(' and ')} to run it.\n\n`);
    describe.skip(title, body);
  }
}
