// Small helpers shared by the benchmark's processes.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);

/** Monotonic milliseconds (CLOCK_MONOTONIC): comparable between processes on one machine. */
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const started = Date.now();
/** Progress lines on stderr, so stdout carries only the results table. */
export function progress(message) {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const round = (value, digits = 1) => (value === null || value === undefined ? null : Number(value.toFixed(digits)));

/** An HS256 JWT as the backend issues them (sub, role, iat, exp). */
export function signAccessToken(secret, userId, sessionId, ttlSeconds) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: userId, sid: sessionId, iat, exp: iat + ttlSeconds })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** Resident memory of a process in KiB, from /proc. */
export function rssKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]);
}

const children = new Set();

/**
 * Starts a Node process with the file-descriptor limit raised (10,000 sockets need more than
 * the usual 1,024). Every child is killed when the benchmark exits, however it exits.
 */
export function spawnNode(args, { env = {}, ipc = false, quiet = false, pipeStderr = false } = {}) {
  const command = `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  const child = spawn('bash', ['-c', command, process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', pipeStderr ? 'pipe' : 'inherit', ...(ipc ? ['ipc'] : [])],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAll(signal = 'SIGKILL') {
  for (const child of children) child.kill(signal);
}
for (const event of ['exit', 'SIGINT', 'SIGTERM']) {
  process.on(event, () => {
    killAll();
    if (event !== 'exit') process.exit(1);
  });
}

export function waitForExit(child) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', resolve));
}

/** Polls `url` until it answers 2xx, or throws after `timeoutMs`. */
export async function waitForHttp(url, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process for ${url} exited with ${child.exitCode}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms`);
}

/**
 * Collects garbage in another Node process through its inspector (started with
 * `--inspect=127.0.0.1:0`), so memory per connection counts what connections keep, not the
 * garbage their handshakes left: the same measure as the baselines' `global.gc()`.
 */
export class InspectorGc {
  static attach(child) {
    return new Promise((resolve, reject) => {
      let seen = '';
      const onData = (chunk) => {
        seen += chunk;
        const match = /Debugger listening on (ws:\/\/\S+)/.exec(seen);
        if (match) {
          child.stderr.off('data', onData);
          child.stderr.on('data', (data) => { if (!/Debugger|inspector|For help/.test(String(data))) process.stderr.write(data); });
          resolve(new InspectorGc(match[1]));
        }
      };
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', onData);
      child.once('exit', () => reject(new Error(`process exited before its inspector started: ${seen}`)));
    });
  }

  constructor(url) {
    this.url = url;
  }

  async collect() {
    const WebSocket = require('ws');
    const socket = new WebSocket(this.url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    await new Promise((resolve) => {
      socket.on('message', (data) => JSON.parse(String(data)).id === 1 && resolve());
      socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
    socket.close();
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds the machine has been busy (all cores, kernel included) and stolen, from /proc/stat. */
function machineCpuSeconds() {
  const [user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / CLOCK_TICKS_PER_SECOND, steal: steal / CLOCK_TICKS_PER_SECOND };
}

/** Process ids whose command name is `name` (e.g. every PostgreSQL backend). */
function pidsNamed(name) {
  return fs.readdirSync('/proc').filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name;
    } catch {
      return false;
    }
  });
}

/**
 * Samples, once a second, the share of one core each group of processes used: shows where the
 * machine's cores go during a scenario (server, load generator, database), with the machine's
 * total (of 100 × cores) and the time stolen by the hypervisor.
 * `groups` maps a label to a function returning that group's pids at the moment of sampling.
 */
export class CpuSampler {
  static ofProcesses(groups) {
    return new CpuSampler({ ...groups, postgres: () => pidsNamed('postgres') });
  }

  constructor(groups) {
    this.groups = groups;
    this.samples = Object.fromEntries([...Object.keys(groups), 'machineBusy', 'stolen'].map((label) => [label, []]));
    this.last = this.read();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  read() {
    const seen = new Map();
    for (const [label, pids] of Object.entries(this.groups)) {
      for (const pid of pids()) seen.set(`${label}:${pid}`, cpuSeconds(pid));
    }
    return { at: nowMs(), seen, machine: machineCpuSeconds() };
  }

  sample() {
    const current = this.read();
    const elapsedSeconds = (current.at - this.last.at) / 1000;
    const used = Object.fromEntries(Object.keys(this.groups).map((label) => [label, 0]));
    for (const [key, seconds] of current.seen) {
      const label = key.slice(0, key.indexOf(':'));
      // A process that started since the last sample counts from 0 (a new database backend).
      used[label] += seconds - (this.last.seen.get(key) ?? 0);
    }
    for (const [label, seconds] of Object.entries(used)) this.samples[label].push(Math.round((seconds / elapsedSeconds) * 100));
    // The whole machine (every core, the kernel's network work included), and the time the
    // hypervisor gave to other guests while this one wanted the CPU.
    this.samples.machineBusy.push(Math.round(((current.machine.busy - this.last.machine.busy) / elapsedSeconds) * 100));
    this.samples.stolen.push(Math.round(((current.machine.steal - this.last.machine.steal) / elapsedSeconds) * 100));
    this.last = current;
  }

  /** Per-second percentages of one core for each group, and their means. */
  stop() {
    clearInterval(this.timer);
    const mean = (values) => (values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : null);
    return Object.fromEntries(Object.entries(this.samples).map(([label, values]) => [label, { meanPercent: mean(values), perSecondPercent: values }]));
  }
}
