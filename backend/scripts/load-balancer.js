'use strict';
// A small reverse proxy for the local cluster (the stand-in for nginx where Docker cannot run):
// HTTP requests and WebSocket upgrades go round-robin to the backend nodes that answer, and a
// browser sticks to one node through a cookie so Socket.IO's long-polling transport works.
const http = require('node:http');
const net = require('node:net');

const COOKIE = 'clinic_node';

function createLoadBalancer(targets, log = () => {}) {
  let next = 0;
  const down = new Set();

  function pick(request) {
    const sticky = /(?:^|;\s*)clinic_node=(\d+)/.exec(request.headers.cookie ?? '');
    if (sticky && targets[Number(sticky[1])] && !down.has(Number(sticky[1]))) return Number(sticky[1]);
    for (let tries = 0; tries < targets.length; tries++) {
      const index = next++ % targets.length;
      if (!down.has(index)) return index;
    }
    return next++ % targets.length;
  }

  // A node that refused a connection is skipped for a moment, so clients reconnect to a live one.
  function markDown(index) {
    if (down.has(index)) return;
    down.add(index);
    log(`node ${index} unreachable; skipping it for 2 s`);
    setTimeout(() => down.delete(index), 2000).unref();
  }

  const server = http.createServer((request, response) => {
    const index = pick(request);
    const { hostname, port } = new URL(targets[index]);
    const upstream = http.request(
      { hostname, port, method: request.method, path: request.url, headers: forwardedHeaders(request) },
      (answer) => {
        const headers = { ...answer.headers };
        if (!(request.headers.cookie ?? '').includes(`${COOKIE}=${index}`)) {
          headers['set-cookie'] = [...[headers['set-cookie'] ?? []].flat(), `${COOKIE}=${index}; Path=/; HttpOnly; SameSite=Lax`];
        }
        response.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      markDown(index);
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ statusCode: 502, message: 'backend node unavailable' }));
    });
    request.pipe(upstream);
  });

  server.on('upgrade', (request, socket, head) => {
    const index = pick(request);
    const { hostname, port } = new URL(targets[index]);
    const upstream = net.connect(Number(port), hostname, () => {
      const headers = forwardedHeaders(request);
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (const [name, value] of Object.entries(headers)) {
        for (const item of [value].flat()) lines.push(`${name}: ${item}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => {
      markDown(index);
      socket.destroy();
    });
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  });

  return server;
}

function forwardedHeaders(request) {
  const forwardedFor = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean).join(', ');
  return { ...request.headers, 'x-forwarded-for': forwardedFor };
}

module.exports = { createLoadBalancer };
