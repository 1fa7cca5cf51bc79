// The read path's load generator: autocannon, in its own process so that the server's CPU is
// measured alone. Told over IPC what to load (one URL, its headers, how many keep-alive
// connections, warm-up and measured seconds, the server's pid); answers with autocannon's figures
// and the server's CPU time (utime + stime from /proc) over the measured window.
import { createRequire } from 'node:module';
import { cpuSeconds, nowMs } from './lib/common.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const run = (options) =>
  new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });

process.on('message', async ({ id, url, headers, connections, warmUpSeconds, seconds, serverPid }) => {
  try {
    const options = { url, headers, connections, pipelining: 1, timeout: 10 };
    // Not measured: the JIT compiles the request path, the pools fill.
    await run({ ...options, duration: warmUpSeconds });
    const cpuBefore = cpuSeconds(serverPid);
    const started = nowMs();
    const result = await run({ ...options, duration: seconds });
    const elapsedSeconds = (nowMs() - started) / 1000;
    const serverCpuSeconds = cpuSeconds(serverPid) - cpuBefore;
    process.send({
      reply: id,
      elapsedSeconds,
      serverCpuSeconds,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      bytesPerResponse: result.requests.total ? Math.round(result.throughput.total / result.requests.total) : null,
    });
  } catch (error) {
    process.send({ reply: id, error: error.stack ?? String(error) });
  }
});
