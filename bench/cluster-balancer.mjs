// The cluster scenario's load balancer, in a process of its own (its CPU is then not the REST
// sender's): backend/scripts/load-balancer.js, the project's stand-in for nginx, in front of the
// nodes listed in TARGETS (comma-separated URLs), listening on PORT. What it logs (a node marked
// unreachable) goes to stderr, after the error that made it so: the balancer marks a node down on
// any error of an upstream socket, a refused connection or a reset one alike.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const net = require('node:net');
// load-balancer.js calls net.connect(port, host, …) for each upgrade: its errors are logged here.
const connect = net.connect;
net.connect = (...args) => {
  const socket = connect(...args);
  socket.on('error', (error) => process.stderr.write(`[load-balancer] upstream ${args[1]}:${args[0]}: ${error.code ?? error.message}\n`));
  return socket;
};
const { createLoadBalancer } = require('../backend/scripts/load-balancer.js');

const balancer = createLoadBalancer(process.env.TARGETS.split(','), (line) => process.stderr.write(`[load-balancer] ${line}\n`));
balancer.listen(Number(process.env.PORT), '127.0.0.1');
