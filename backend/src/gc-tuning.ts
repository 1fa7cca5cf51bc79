import v8 from 'node:v8';

/**
 * V8 garbage-collector settings for a node that holds thousands of long-lived sockets while it
 * serves requests. main.ts imports this before anything else, so every way of starting the node
 * (npm start, the Docker image, scripts/cluster.js, the benchmark) runs with them. Measured with
 * `npm run bench` (10,000 sockets, 500 sends/s; README "Performance"):
 *
 * - No allocation-site pretenuring: 4.6 MB/s promoted to the old generation at 500 sends/s with
 *   it, 0.5 MB/s without (500 sockets, same load). As we read it, V8 judged some allocation
 *   sites of the request path long-lived and allocated their objects straight in the old
 *   generation. Those objects die with their request, but until the next full collection they
 *   still point at the request's young objects, so young collections keep and promote those
 *   too: whole requests were promoted though none was still referenced.
 * - The old generation grows to twice the live heap before a full collection (V8 chose about
 *   1.15 × for this heap). Each full collection of 10,000 sockets' ~180 MB heap slows the event
 *   loop for a few hundred milliseconds on two cores, so they should be rare: every 5-10 s
 *   before, none in the benchmark's 30 s now. The price is up to the live heap again in memory
 *   at the peak before a collection.
 */
v8.setFlagsFromString('--no-allocation-site-pretenuring');
v8.setFlagsFromString('--heap-growing-percent=100');
