import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs where the tests do: check the cluster definition for what makes it work.
const root = path.join(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface ComposeService {
  build?: { context: string; dockerfile: string };
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

describe('docker-compose cluster', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const { services } = compose;

  it('has PostgreSQL, Redis, two backend nodes, a proxy and Mailpit as the mail sink', () => {
    expect(Object.keys(services).sort()).toEqual(['mailpit', 'node1', 'node2', 'postgres', 'proxy', 'redis']);
    // The nodes send their mail to it unless SMTP_URL names a real server; its UI stays on this machine.
    expect(services.node1.environment?.SMTP_URL).toBe('${SMTP_URL:-smtp://mailpit:1025}');
    expect((services.mailpit as { ports?: string[] }).ports).toEqual(['127.0.0.1:8025:8025']);
  });

  it.each(['node1', 'node2'])('%s is built from backend/Dockerfile, shares PostgreSQL and Redis, and waits for them to be healthy', (name) => {
    const node = services[name];
    expect(node.build).toEqual({ context: '.', dockerfile: 'backend/Dockerfile' });
    expect(node.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/.+@postgres:5432\//);
    expect(node.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(node.environment?.JWT_SECRET).toContain('JWT_SECRET');
    expect(node.environment?.HOST).toBe('0.0.0.0');
    expect(node.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(node.healthcheck?.test.join(' ')).toContain('/api/health/ready');
  });

  it.each(['node1', 'node2'])('%s runs in production mode without demo accounts, its first admin and metrics port set by the operator', (name) => {
    const environment = services[name].environment ?? {};
    expect(environment.NODE_ENV).toBe('production');
    expect(environment.SEED_DEMO_USERS ?? 'false').toBe('false');
    expect(environment.INITIAL_ADMIN_EMAIL).toMatch(/^\$\{INITIAL_ADMIN_EMAIL:\?/);
    expect(environment.INITIAL_ADMIN_PASSWORD).toMatch(/^\$\{INITIAL_ADMIN_PASSWORD:\?/);
    expect(environment.METRICS_PORT).toMatch(/^\d+$/);
  });

  it('trusts X-Forwarded-For only from its own pinned network, where nginx is the one proxy', () => {
    const { networks } = parse(read('docker-compose.yml')) as { networks: { default: { ipam: { config: Array<{ subnet: string }> } } } };
    const subnet = networks.default.ipam.config[0].subnet;
    for (const name of ['node1', 'node2']) expect(services[name].environment?.TRUST_PROXY).toBe(subnet);
  });

  it('puts the proxy in front of both healthy nodes, on the only published port', () => {
    expect(services.proxy.depends_on).toEqual({ node1: { condition: 'service_healthy' }, node2: { condition: 'service_healthy' } });
    expect(services.proxy.ports).toEqual(['8080:80']);
    for (const name of ['postgres', 'redis', 'node1', 'node2']) expect(services[name].ports).toBeUndefined();
  });

  it('proxies WebSocket upgrades with a long read timeout, sticky for polling, to both nodes', () => {
    const nginx = read(services.proxy.build!.dockerfile.replace('Dockerfile', 'nginx.conf'));
    expect(nginx).toMatch(/server node1:3000/);
    expect(nginx).toMatch(/server node2:3000/);
    expect(nginx).toMatch(/ip_hash;/);
    const socketBlock = nginx.slice(nginx.indexOf('location /socket.io/'), nginx.indexOf('}', nginx.indexOf('location /socket.io/')));
    expect(socketBlock).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(socketBlock).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(socketBlock).toMatch(/proxy_read_timeout 1h;/);
  });

  it('builds the backend in stages and starts the compiled app, which migrates on start', () => {
    const dockerfile = read('backend/Dockerfile');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/RUN npm run build -w backend/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/CMD \["node", "backend\/dist\/backend\/src\/main.js"\]/);
  });
});
