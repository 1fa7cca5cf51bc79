#!/usr/bin/env node
'use strict';
// `npm start`: builds what changed (Nx caches both builds, so a later start with nothing changed
// takes seconds) and runs the server with the app, saying what it is doing: on a fresh clone the
// first build takes a couple of minutes, which would otherwise look like a hang.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '../..');
const MAIN = path.join(ROOT, 'backend/dist/backend/src/main.js');
const APP_PAGE = path.join(ROOT, 'frontend/dist/browser/index.html');
const NX = path.join(ROOT, 'node_modules/nx/bin/nx.js');

const firstBuild = !fs.existsSync(MAIN) || !fs.existsSync(APP_PAGE);
console.log(
  firstBuild
    ? 'First start: building the server and the app. This takes about 2 minutes on a 2-core machine; later starts reuse the build.'
    : 'Checking the build: only what changed since the last start is rebuilt.',
);
const started = Date.now();
const build = spawnSync(process.execPath, [NX, 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('The build failed (see above); nothing was started.');
  process.exit(build.status ?? 1);
}
console.log(`Build ready in ${Math.round((Date.now() - started) / 1000)} s. Starting the server…`);

const server = spawn(process.execPath, [MAIN], { cwd: ROOT, stdio: 'inherit' });
// The server shuts down gracefully on either; this process waits for it and exits as it does.
// Ctrl-C reaches the server from the terminal itself (same process group), so only a SIGTERM sent
// to this process is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => server.kill('SIGTERM'));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
