import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN_JS = path.join(REPO_ROOT, 'backend/dist/backend/src/main.js');
const FRONTEND_DIR = path.join(REPO_ROOT, 'frontend/dist/browser');
export const JWT_SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';

const running = new Set<ChildProcess>();
// Last resort if the test process dies without reaching afterAll: no backend outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The built backend (`node backend/dist/backend/src/main.js`) serving the built Angular app, as a
 * child process on a loopback port. It can be stopped and started again on the same port and
 * database, to play "the server went away and came back".
 */
export class Backend {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [MAIN_JS], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        FRONTEND_DIR,
        JWT_SECRET,
        LOG_LEVEL: 'warn',
        SEED_DEMO_USERS: 'true',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    this.child = child;
    this.output = '';
    const collect = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', () => running.delete(child));
    await this.waitUntilReady(child);
  }

  /** Stops the process the way an operator would (SIGTERM), forcefully if it hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`backend exited with ${child.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`${this.baseUrl}/api/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`backend not ready after 90 s:\n${this.output}`);
  }
}
