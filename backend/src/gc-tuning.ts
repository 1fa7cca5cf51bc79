import v8 from 'node:v8';

/**
 * V8 garbage-collector settings for a node that holds thousands of long-lived sockets while it
 * serves requests. main.ts imports this before anything else, so every way of starting the node
 * (npm start, the Docker image, scripts/cluster.js, the benchmark) runs with them. Measured with
 * `npm run bench`; the figures are in docs/performance.md ("What sets the tail"):
 *
 * - No allocation-site pretenuring: it cut what the send path promotes to the old generation
 *   several times over. As we read it, V8 judged some allocation sites of the request path
 *   long-lived and allocated their objects straight in the old generation. Those objects die
 *   with their request, but until the next full collection they still point at the request's
 *   young objects, so young collections keep and promote those too: whole requests were
 *   promoted though none was still referenced.
 * - The old generation grows to twice the live heap before a full collection (V8 chose far less
 *   for this heap). A full collection of a heap holding thousands of sockets stalls the event
 *   loop, so they should be rare: they came every few seconds before, and none comes in a
 *   benchmark run now. The price is up to the live heap again in memory at the peak before a
 *   collection.
 */
v8.setFlagsFromString('--no-allocation-site-pretenuring');
v8.setFlagsFromString('--heap-growing-percent=100');
