import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';

/**
 * Real processes for the fault tests: the built backend (as operators run it) and a private
 * Redis, each on a loopback port of its own, which a test can kill, stop and start again.
 * Every process started here is killed by `killAllProcesses` (call it in afterAll).
 */

const BACKEND_DIR = path.join(__dirname, '../..');
export const BUILT_MAIN = path.join(BACKEND_DIR, 'dist/backend/src/main.js');
export const TEST_JWT_SECRET = 'fault-tests-secret-that-is-long-enough-0123456789';

const running = new Set<ChildProcess>();

export function killAllProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** A child process whose output lines are kept, so a failure can show what it said. */
class Child {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv) {
    this.process = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.process);
    for (const stream of [this.process.stdout!, this.process.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        if (this.lines.length > 500) this.lines.shift();
      });
    }
    this.exited = new Promise((resolve) =>
      this.process.once('exit', (code, signal) => {
        running.delete(this.process);
        resolve({ code, signal });
      }),
    );
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    this.process.kill(signal);
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    this.process.kill('SIGKILL');
    await this.exited;
  }

  output(): string {
    return this.lines.slice(-40).join('\n');
  }
}

const serverEnv = (port: number, env: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOST: '127.0.0.1',
  PORT: String(port),
  JWT_SECRET: TEST_JWT_SECRET,
  LOG_LEVEL: 'warn',
  FRONTEND_DIR: '',
  SEED_DEMO_USERS: 'false',
  ...env,
});

/** Starts the built server with `env` expecting it to refuse: its exit code and everything it printed. */
export async function startExpectingExit(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  assertBuilt();
  const child = new Child(process.execPath, [BUILT_MAIN], serverEnv(await freePort(), env));
  const timer = setTimeout(() => void child.kill(), timeoutMs);
  const { code } = await child.exited;
  clearTimeout(timer);
  return { code, output: child.lines.join('\n') };
}

/**
 * The built server (`npm run build -w backend`), as `npm start` and the Docker image run it. The
 * Nx test target builds first; run by hand, a stale build is reported, not silently tested.
 */
export class BackendProcess {
  private child: Child | null = null;

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string>): Promise<BackendProcess> {
    assertBuilt();
    const server = new BackendProcess(await freePort(), { ...env });
    await server.start();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get process(): Child {
    if (!this.child) throw new Error('not started');
    return this.child;
  }

  /** Starts (again) on the same port, with `env` added to its own (from then on), and waits until it answers. */
  async start(env: Record<string, string> = {}): Promise<void> {
    Object.assign(this.env, env);
    this.child = new Child(process.execPath, [BUILT_MAIN], serverEnv(this.port, this.env));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!this.child.alive) throw new Error(`the server exited while starting:\n${this.child.output()}`);
      const up = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(1000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (up) return;
      if (Date.now() > deadline) throw new Error(`the server did not start within 30 s:\n${this.child.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  kill(): Promise<void> {
    return this.child?.kill() ?? Promise.resolve();
  }

  /** Every line the server has printed (the last 500). */
  allOutput(): string {
    return this.child?.lines.join('\n') ?? '';
  }
}

/** `redis-server` with nothing saved to disk, so a restart starts empty, as a crashed cache does. */
export class RedisProcess {
  private child: Child | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = new Child('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      PATH: process.env.PATH,
    });
    const deadline = Date.now() + 10_000;
    while (!this.child.lines.some((line) => line.includes('Ready to accept connections'))) {
      if (!this.child.alive || Date.now() > deadline) throw new Error(`redis-server did not start:\n${this.child.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  kill(): Promise<void> {
    return this.child?.kill() ?? Promise.resolve();
  }
}

let buildChecked = false;

function assertBuilt(): void {
  if (!fs.existsSync(BUILT_MAIN)) {
    throw new Error(`${path.relative(process.cwd(), BUILT_MAIN)} is missing: run \`npm run build -w backend\` (the Nx test target does)`);
  }
  if (buildChecked) return;
  buildChecked = true;
  const builtAt = fs.statSync(BUILT_MAIN).mtimeMs;
  const sources = [...sourceFiles(path.join(BACKEND_DIR, 'src')), path.join(BACKEND_DIR, '../contracts/index.ts')];
  const newer = sources.filter((file) => fs.statSync(file).mtimeMs > builtAt);
  if (newer.length > 0) {
    process.stderr.write(
      `\n  NOTE: the built server is older than ${path.relative(BACKEND_DIR, newer[0])}` +
        `${newer.length > 1 ? ` and ${newer.length - 1} more` : ''}: run \`npm run build -w backend\` to test the current code.\n\n`,
    );
  }
}

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [file] : [];
  });
}
