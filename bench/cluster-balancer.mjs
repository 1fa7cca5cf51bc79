// The cluster scenario's load balancer, in a process of its own (its CPU is then not the REST
// sender's): backend/scripts/load-balancer.js, the project's stand-in for nginx, in front of the
// nodes listed in TARGETS (comma-separated URLs), listening on PORT. What it logs (a node marked
// unreachable) goes to stderr.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createLoadBalancer } = require('../backend/scripts/load-balancer.js');

const balancer = createLoadBalancer(process.env.TARGETS.split(','), (line) => process.stderr.write(`[load-balancer] ${line}\n`));
balancer.listen(Number(process.env.PORT), '127.0.0.1');
