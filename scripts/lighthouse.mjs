#!/usr/bin/env node
// `npm run lighthouse`: Lighthouse mobile scores (performance, accessibility, best practices, SEO)
// of two pages of the built app, each with a cold HTTP cache:
//
//   1. /login          signed out, a fresh Chromium profile (Lighthouse's own storage reset);
//   2. /notifications  signed in as the demo staff user nurse@clinic.test: the sign-in goes through
//                      the API from a page of the app's origin in the same Chromium profile, so the
//                      httpOnly refresh cookie is set; then only the caches are cleared (HTTP cache,
//                      Cache Storage, service workers) and Lighthouse runs with disableStorageReset,
//                      so the app restores the session from the cookie while every file of the page
//                      comes from the network.
//
//   npm run lighthouse                 builds what changed (Nx cache), then measures
//   npm run lighthouse -- --no-build   measures the existing build (backend/dist, frontend/dist)
//   npm run lighthouse -- --runs 3     each page audited 3 times; the median-performance run is kept
//   npm run lighthouse -- --save-reports DIR   also writes each full Lighthouse JSON report into DIR
//
// The server is the built backend (backend/dist/backend/src/main.js) serving the built app, on a
// free port of 127.0.0.1, with the embedded database in a temporary DATA_DIR (deleted at the end)
// and the demo accounts seeded on start. Chromium is /usr/bin/chromium (or CHROMIUM_PATH), headless,
// with a temporary profile and no outside connections. Prints a table and writes
// bench/results/lighthouse.json. The server and Chromium are stopped on success, on error and on
// Ctrl-C / SIGTERM. Not part of `npm test`.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import puppeteer from 'puppeteer-core';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN_JS = path.join(ROOT, 'backend/dist/backend/src/main.js');
const FRONTEND_DIR = path.join(ROOT, 'frontend/dist/browser');
const NX = path.join(ROOT, 'node_modules/nx/bin/nx.js');
const OUT = path.join(ROOT, 'bench/results/lighthouse.json');
const CHROME_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// The machine's network is closed: without these Chromium waits on outside connections.
const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STAFF = { email: 'nurse@clinic.test', password: 'Nurse123!' };
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const METRICS = {
  fcpMs: 'first-contentful-paint',
  lcpMs: 'largest-contentful-paint',
  tbtMs: 'total-blocking-time',
  cls: 'cumulative-layout-shift',
  speedIndexMs: 'speed-index',
};

const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');
const runsIndex = args.indexOf('--runs');
const saveIndex = args.indexOf('--save-reports');
const saveDir = saveIndex >= 0 ? args[saveIndex + 1] : null; // full Lighthouse reports, for a closer look
const RUNS = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 1;
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 10) fail('--runs takes a whole number from 1 to 10');

const started = Date.now();
function progress(message) {
  console.log(`[lighthouse ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`);
}
function fail(message) {
  console.error(`lighthouse: ${message}`);
  process.exit(1);
}

// ---- everything started here, stopped in cleanup() whatever happens ----
let server = null;
let serverOutput = '';
let chrome = null;
let browser = null;
let dataDir = null;
let cleaningUp = null;

async function stopServer() {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function cleanup() {
  cleaningUp ??= (async () => {
    try {
      await browser?.disconnect();
    } catch {
      // already gone
    }
    browser = null;
    if (chrome) {
      const pid = chrome.pid;
      try {
        await chrome.kill();
      } catch {
        // already gone
      }
      chrome = null;
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // exited, as it should have
      }
    }
    await stopServer();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    dataDir = null;
  })();
  return cleaningUp;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\nlighthouse: ${signal}: stopping the server and Chromium`);
    cleanup().finally(() => process.exit(130));
  });
}
// Last resort: no server outlives this process.
process.on('exit', () => {
  try {
    server?.kill('SIGKILL');
  } catch {
    // gone
  }
});

// ---- build, server ----
function build() {
  if (skipBuild) {
    progress('--no-build: measuring the existing build');
  } else {
    progress('building what changed (npx nx run-many -t build; cached when nothing changed)…');
    const result = spawnSync(process.execPath, [NX, 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) fail('the build failed (see above); nothing was measured');
  }
  for (const file of [MAIN_JS, path.join(FRONTEND_DIR, 'index.html')]) {
    if (!fs.existsSync(file)) fail(`${path.relative(ROOT, file)} is missing: build first (npx nx run-many -t build) or drop --no-build`);
  }
}

async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startServer() {
  const port = await freePort();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-lighthouse-'));
  progress(`starting the server on http://127.0.0.1:${port} (embedded database in ${dataDir})…`);
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      FRONTEND_DIR,
      DATA_DIR: dataDir,
      SEED_DEMO_USERS: 'true',
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  const collect = (chunk) => (serverOutput = (serverOutput + chunk.toString()).slice(-20_000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${serverOutput}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) {
        progress('server ready');
        return baseUrl;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server was not ready after 120 s:\n${serverOutput}`);
}

// ---- Chromium ----
async function startChromium() {
  progress(`starting Chromium (${CHROME_PATH}, headless, temporary profile)…`);
  chrome = await chromeLauncher.launch({
    chromePath: CHROME_PATH,
    chromeFlags: CHROME_FLAGS,
    logLevel: 'silent',
    handleSIGINT: false, // cleanup() stops it, after the server
  });
  browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
  const version = await browser.version();
  progress(`Chromium ${version} on port ${chrome.port}`);
  return version;
}

/** Signs in through the API from a page of the app's origin: the browser keeps the refresh cookie. */
async function signIn(page, baseUrl) {
  await page.goto(`${baseUrl}/api/health`);
  const answer = await page.evaluate(async (credentials) => {
    const response = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(credentials),
    });
    const body = await response.json().catch(() => null);
    return { status: response.status, role: body?.user?.role ?? null };
  }, STAFF);
  if (answer.status < 200 || answer.status >= 300) throw new Error(`sign-in as ${STAFF.email} answered ${answer.status}`);
  const cookies = await page.cookies(`${baseUrl}/api/auth/refresh`);
  if (cookies.length === 0) throw new Error('sign-in set no refresh cookie');
  return answer.role;
}

/** Forgets every cookie: signed out, as a new visitor. */
async function signOut(page) {
  const session = await page.createCDPSession();
  try {
    await session.send('Network.clearBrowserCookies');
  } finally {
    await session.detach();
  }
}

/** Cold cache, session kept: clears the HTTP cache and the caches of the origin, not its cookies or local storage. */
async function clearCachesOnly(page, baseUrl) {
  const session = await page.createCDPSession();
  try {
    await session.send('Network.enable');
    await session.send('Network.clearBrowserCache');
    await session.send('Storage.clearDataForOrigin', {
      origin: new URL(baseUrl).origin,
      storageTypes: 'cache_storage,service_workers,shader_cache,file_systems',
    });
  } finally {
    await session.detach();
  }
}

// ---- audits ----
const FLAGS = {
  logLevel: 'error',
  output: 'json',
  onlyCategories: CATEGORIES,
  formFactor: 'mobile', // Lighthouse's defaults: Moto G Power screen, slow 4G, 4x CPU slowdown, simulated
};

function summarise(lhr, label, signedIn) {
  const scores = Object.fromEntries(CATEGORIES.map((id) => [id, lhr.categories[id]?.score == null ? null : Math.round(lhr.categories[id].score * 100)]));
  const metrics = Object.fromEntries(
    Object.entries(METRICS).map(([key, id]) => {
      const value = lhr.audits[id]?.numericValue;
      return [key, value == null ? null : key === 'cls' ? Math.round(value * 1000) / 1000 : Math.round(value)];
    }),
  );
  const requests = lhr.audits['network-requests']?.details?.items ?? [];
  const totalByteWeight = lhr.audits['total-byte-weight']?.numericValue ?? null;
  // Not a perfect score, in the categories measured: which audits cost points, by how much.
  const failing = [];
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    for (const ref of category?.auditRefs ?? []) {
      const audit = lhr.audits[ref.id];
      if (!audit || audit.score === null || audit.score >= 1) continue;
      if (audit.scoreDisplayMode === 'informative' || audit.scoreDisplayMode === 'notApplicable' || audit.scoreDisplayMode === 'manual') continue;
      if (ref.weight === 0 && audit.scoreDisplayMode !== 'metricSavings') continue;
      failing.push({
        category: id,
        audit: ref.id,
        title: audit.title,
        score: audit.score,
        weight: ref.weight,
        displayValue: audit.displayValue ?? null,
        items: (audit.details?.items ?? []).slice(0, 5).map((item) => item.node?.snippet ?? item.url ?? item.source?.url ?? item.label ?? item.description ?? null).filter(Boolean),
      });
    }
  }
  // Where the time goes: opportunities with estimated savings, script boot-up, the LCP element.
  const opportunities = Object.values(lhr.audits)
    .filter((a) => a.details?.type === 'opportunity' && (a.numericValue ?? 0) > 0)
    .map((a) => ({ audit: a.id, title: a.title, savingsMs: Math.round(a.numericValue), displayValue: a.displayValue ?? null }))
    .sort((a, b) => b.savingsMs - a.savingsMs);
  const bootup = (lhr.audits['bootup-time']?.details?.items ?? []).slice(0, 5).map((i) => ({ url: i.url, totalMs: Math.round(i.total), scriptingMs: Math.round(i.scripting) }));
  const mainThread = (lhr.audits['mainthread-work-breakdown']?.details?.items ?? []).map((i) => ({ group: i.groupLabel ?? i.group, ms: Math.round(i.duration) }));
  const lcpElement = lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.snippet ?? null;
  const lcpPhases = (lhr.audits['largest-contentful-paint-element']?.details?.items?.[1]?.items ?? []).map((i) => ({ phase: i.phase, ms: Math.round(i.timing) }));
  return {
    page: label,
    requestedUrl: lhr.requestedUrl,
    finalUrl: lhr.finalDisplayedUrl,
    signedIn,
    scores,
    metrics,
    totalTransferBytes: totalByteWeight == null ? null : Math.round(totalByteWeight),
    requests: requests.length,
    requestsServedFromCache: requests.filter((r) => r.resourceType !== 'Document' && r.url.startsWith('http') && r.transferSize === 0 && !r.url.includes('/socket.io/')).length,
    benchmarkIndex: lhr.environment?.benchmarkIndex ?? null,
    runWarnings: lhr.runWarnings,
    // Audits Lighthouse could not compute (12.2.3's trace parser and this Chromium's trace disagree on some).
    auditErrors: Object.values(lhr.audits)
      .filter((a) => a.scoreDisplayMode === 'error')
      .map((a) => ({ audit: a.id, error: a.errorMessage ?? null })),
    failingAudits: failing,
    opportunities,
    bootup,
    mainThread,
    lcpElement,
    lcpPhases,
    largestTransfers: [...requests]
      .sort((a, b) => b.transferSize - a.transferSize)
      .slice(0, 8)
      .map((r) => ({ url: r.url.replace(/^https?:\/\/[^/]+/, ''), transferBytes: r.transferSize, resourceBytes: r.resourceSize })),
  };
}

async function audit(page, url, label, { signedIn }) {
  const flags = { ...FLAGS, disableStorageReset: signedIn };
  const result = await lighthouse(url, flags, undefined, page);
  if (!result?.lhr) throw new Error(`Lighthouse returned no result for ${url}`);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`Lighthouse could not audit ${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  if (saveDir) fs.writeFileSync(path.join(saveDir, `${label}-${Date.now()}.report.json`), result.report);
  const summary = summarise(lhr, label, signedIn);
  const expectedPath = new URL(url).pathname;
  if (new URL(summary.finalUrl).pathname !== expectedPath) {
    throw new Error(`${label}: Lighthouse ended on ${summary.finalUrl}, not ${expectedPath} (${signedIn ? 'the session was not restored' : 'redirected'})`);
  }
  return summary;
}

function median(runs) {
  const sorted = [...runs].sort((a, b) => a.scores.performance - b.scores.performance);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return match ? match[1].trim() : null;
  } catch {
    return null;
  }
}

function git(...gitArgs) {
  try {
    return execFileSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function printTable(pages) {
  const header = ['page', 'perf', 'a11y', 'best-pr.', 'seo', 'FCP ms', 'LCP ms', 'TBT ms', 'CLS', 'transfer kB'];
  const rows = pages.map((p) => [
    p.page,
    ...CATEGORIES.map((id) => String(p.scores[id] ?? '–')),
    String(p.metrics.fcpMs),
    String(p.metrics.lcpMs),
    String(p.metrics.tbtMs),
    String(p.metrics.cls),
    p.totalTransferBytes == null ? '–' : (p.totalTransferBytes / 1000).toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const p of pages) {
    if (p.failingAudits.length === 0) continue;
    console.log(`${p.page}: audits below a full score`);
    for (const f of p.failingAudits) {
      console.log(`  ${f.category.padEnd(14)} ${f.audit} (score ${f.score}, weight ${f.weight})${f.displayValue ? `: ${f.displayValue}` : ''}`);
    }
  }
}

async function main() {
  if (saveDir) fs.mkdirSync(saveDir, { recursive: true });
  build();
  const baseUrl = await startServer();
  const chromiumVersion = await startChromium();
  const page = await browser.newPage();

  const results = { login: [], inbox: [] };
  for (let run = 1; run <= RUNS; run++) {
    const of = RUNS > 1 ? ` (run ${run}/${RUNS})` : '';
    progress(`auditing /login, signed out, cold cache${of}…`);
    // Lighthouse's own reset clears the origin's storage and the HTTP cache, not its cookies: the
    // session of the run before goes first, or the login page would move on to the inbox.
    await signOut(page);
    results.login.push(await audit(page, `${baseUrl}/login`, 'login', { signedIn: false }));
    progress(`/login: ${CATEGORIES.map((id) => `${id} ${results.login.at(-1).scores[id]}`).join(', ')}`);

    progress(`signing in as ${STAFF.email} through the API (same Chromium profile)…`);
    const role = await signIn(page, baseUrl);
    progress(`signed in (${role}); clearing the caches only, the session cookie kept`);
    await clearCachesOnly(page, baseUrl);
    progress(`auditing /notifications, signed in, cold cache${of}…`);
    results.inbox.push(await audit(page, `${baseUrl}/notifications`, 'inbox', { signedIn: true }));
    progress(`/notifications: ${CATEGORIES.map((id) => `${id} ${results.inbox.at(-1).scores[id]}`).join(', ')}`);
  }

  const pages = [median(results.login), median(results.inbox)];
  for (const p of pages) {
    if (p.requestsServedFromCache > 0) progress(`warning: ${p.page}: ${p.requestsServedFromCache} requests came from the cache`);
  }
  printTable(pages);

  const dirty = git('status', '--porcelain', '--', 'frontend/src', 'backend/src', 'contracts');
  const report = {
    measuredAt: new Date().toISOString(),
    lighthouse: JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/lighthouse/package.json'), 'utf8')).version,
    chromium: chromiumVersion,
    chromiumFlags: CHROME_FLAGS,
    cpu: { model: cpuModel(), cores: os.cpus().length },
    node: process.version,
    commit: git('rev-parse', 'HEAD'),
    uncommittedAppChanges: dirty ? dirty.split('\n') : [],
    settings: {
      formFactor: 'mobile',
      throttling: 'Lighthouse default: simulated slow 4G (150 ms RTT, 1.6 Mbit/s), 4x CPU slowdown',
      runsPerPage: RUNS,
      kept: RUNS > 1 ? 'the run with the median performance score' : 'the only run',
      signedInAs: STAFF.email,
    },
    pages: Object.fromEntries(pages.map((p) => [p.page, p])),
    allRuns: RUNS > 1 ? Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((r) => ({ scores: r.scores, metrics: r.metrics }))])) : undefined,
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
  progress(`wrote ${path.relative(ROOT, OUT)}`);
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(`lighthouse: ${error instanceof Error ? error.stack || error.message : String(error)}`);
  exitCode = 1;
} finally {
  progress('stopping Chromium and the server…');
  await cleanup();
  progress('done');
}
process.exit(exitCode);
