#!/usr/bin/env node
'use strict';
// The docker-compose topology without Docker: two backend nodes on their own ports against the
// local PostgreSQL and Redis, and a load balancer in front. For demos and the multi-node tests.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/clinic REDIS_URL=redis://127.0.0.1:6379 \
//     node backend/scripts/cluster.js [--port 8080] [--nodes 2]
//
// Prints one JSON line once every node is ready: {"url":…,"nodes":[{"url":…,"pid":…}]}.
// Stops everything on SIGINT/SIGTERM. Needs the backend built (npm run build -w backend).
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const net = require('node:net');
const path = require('node:path');
const { createLoadBalancer } = require('./load-balancer');

const MAIN = path.join(__dirname, '../dist/backend/src/main.js');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function waitUntilReady(url, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`node ${url} exited with code ${child.exitCode}`);
    const ready = await fetch(`${url}/api/health/ready`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`node ${url} not ready in time`);
}

async function main() {
  for (const name of ['DATABASE_URL', 'REDIS_URL']) {
    if (!process.env[name]) throw new Error(`${name} must be set: the nodes share one PostgreSQL and one Redis`);
  }
  const env = {
    ...process.env,
    JWT_SECRET: process.env.JWT_SECRET || crypto.randomBytes(48).toString('base64url'),
    HOST: '127.0.0.1',
  };
  const count = Number(option('nodes', '2'));
  const nodes = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'] });
    nodes.push({ url: `http://127.0.0.1:${port}`, child });
  }
  const balancer = createLoadBalancer(
    nodes.map((node) => node.url),
    (line) => console.error(`[load-balancer] ${line}`),
  );
  const stop = () => {
    for (const node of nodes) node.child.kill('SIGTERM');
    balancer.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const deadline = Date.now() + 60_000;
  // Nodes migrate on start under an advisory lock; wait for all of them.
  await Promise.all(nodes.map((node) => waitUntilReady(node.url, node.child, deadline)));
  await new Promise((resolve) => balancer.listen(Number(option('port', '0')), '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${balancer.address().port}`;
  console.log(JSON.stringify({ url, nodes: nodes.map((n) => ({ url: n.url, pid: n.child.pid })) }));
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
