import fs from 'node:fs';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../src/security-headers';

// No nginx binary where the tests run: the proxy's configuration (frontend/nginx.conf, used by
// docker-compose) is parsed here and held to what the backend sends and to nginx's own rules.

interface Directive {
  name: string;
  args: string[];
  children?: Directive[];
}

/** nginx's syntax: `name arg "quoted arg" ...;` or `name args { ... }`, with # comments. */
function parse(text: string): Directive[] {
  const tokens = [...text.matchAll(/#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/g)].flatMap((match) => {
    if (match[0].startsWith('#')) return [];
    return [{ value: match[1] ?? match[2] ?? match[3] ?? match[4], punctuation: match[3] !== undefined }];
  });
  let at = 0;
  const block = (): Directive[] => {
    const directives: Directive[] = [];
    while (at < tokens.length && !(tokens[at].punctuation && tokens[at].value === '}')) {
      const words: string[] = [];
      while (!tokens[at].punctuation) words.push(tokens[at++].value);
      const end = tokens[at++].value;
      const [name, ...args] = words;
      if (end === '{') {
        directives.push({ name, args, children: block() });
        at++; // the closing brace
      } else {
        directives.push({ name, args });
      }
    }
    return directives;
  };
  return block();
}

const conf = parse(fs.readFileSync(path.join(__dirname, '../../frontend/nginx.conf'), 'utf8'));
const [server] = conf.filter((directive) => directive.name === 'server');
const locations = server.children!.filter((directive) => directive.name === 'location');
const all = (directives: Directive[], name: string) => directives.filter((directive) => directive.name === name);
const location = (...args: string[]) => locations.find((candidate) => candidate.args.join(' ') === args.join(' '))!;

/** A `map $source $target { … }` applied to a value of $source, as nginx would. */
function applyMap(target: string, value: string): string {
  const map = conf.find((directive) => directive.name === 'map' && directive.args[1] === target)!;
  for (const entry of map.children!) {
    if (entry.name.startsWith('~')) {
      const match = new RegExp(entry.name.replace(/^~\*?/, ''), entry.name.startsWith('~*') ? 'i' : '').exec(value);
      if (match) return entry.args[0].replace(/\$(\w+)/g, (_, group: string) => match.groups?.[group] ?? match[Number(group)] ?? '');
    } else if (entry.name === value) {
      return entry.args[0];
    }
  }
  return all(map.children!, 'default')[0]?.args[0] ?? '';
}

/**
 * The location nginx picks for a request line's path: it matches the normalised URI (no query,
 * percent-decoded, slashes merged); an exact match wins, then the first regex in file order
 * unless the longest prefix has `^~`, then the longest prefix.
 */
function locationFor(requestPath: string): Directive {
  const uri = decodeURIComponent(requestPath.split('?')[0]).replace(/\/{2,}/g, '/');
  const exact = locations.find((candidate) => candidate.args[0] === '=' && candidate.args[1] === uri);
  if (exact) return exact;
  const prefixes = locations
    .filter((candidate) => (candidate.args.length === 1 || candidate.args[0] === '^~') && uri.startsWith(candidate.args.at(-1)!))
    .sort((a, b) => b.args.at(-1)!.length - a.args.at(-1)!.length);
  if (prefixes[0]?.args[0] !== '^~') {
    const regex = locations.find(
      (candidate) => ['~', '~*'].includes(candidate.args[0]) && new RegExp(candidate.args[1], candidate.args[0] === '~*' ? 'i' : '').test(uri),
    );
    if (regex) return regex;
  }
  return prefixes[0];
}

/** The security headers the backend sends (helmet, see src/security-headers.ts) and nginx must send too. */
const SECURITY_HEADERS = ['Content-Security-Policy', 'X-Content-Type-Options', 'Referrer-Policy', 'X-Frame-Options', 'Strict-Transport-Security'];

describe('nginx in front of the cluster (frontend/nginx.conf)', () => {
  const headers = (directives: Directive[]) => new Map(all(directives, 'add_header').map((header) => [header.args[0], header.args.slice(1)]));

  it('hides its version', () => {
    expect(all(server.children!, 'server_tokens').map((directive) => directive.args)).toEqual([['off']]);
  });

  it('sends the security headers on every answer, its own errors included, and in every location that sets headers of its own', () => {
    const serverHeaders = headers(server.children!);
    expect(serverHeaders.get('X-Content-Type-Options')).toEqual(['nosniff', 'always']);
    expect(serverHeaders.get('Referrer-Policy')).toEqual(['strict-origin-when-cross-origin', 'always']);
    expect(serverHeaders.get('X-Frame-Options')).toEqual(['DENY', 'always']);
    // A location with any add_header of its own drops every one of the server's.
    for (const block of [server, ...locations]) {
      if (all(block.children!, 'add_header').length === 0) continue;
      const own = headers(block.children!);
      for (const name of SECURITY_HEADERS) expect([block.args.join(' '), name, own.get(name)?.at(-1)]).toEqual([block.args.join(' '), name, 'always']);
    }
  });

  it('sends the backend\'s Content-Security-Policy, with a nonce per answer that index.html hands to Angular', () => {
    const [policy] = headers(server.children!).get('Content-Security-Policy')!;
    const directives = Object.fromEntries(policy.split(';').map((directive) => directive.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
    const expected = Object.fromEntries(
      Object.entries(CONTENT_SECURITY_POLICY).map(([name, sources]) => [name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`), [...sources]]),
    );
    expect(directives).toEqual({ ...expected, 'style-src': [...expected['style-src'], "'nonce-$request_id'"] });
    const page = location('=', '/index.html');
    expect(all(page.children!, 'sub_filter').map((directive) => directive.args)).toEqual([['<app-root', '<app-root ngCspNonce="$request_id"']]);
    // Every app route is answered from there.
    expect(locationFor('/notifications')).toBe(location('/'));
    expect(all(location('/').children!, 'try_files')[0].args.at(-1)).toBe('/index.html');
  });

  it('sends HSTS only over HTTPS', () => {
    const [value] = headers(server.children!).get('Strict-Transport-Security')!;
    const variable = value.replace(/^\$/, '');
    expect(applyMap(`$${variable}`, 'https')).toBe('max-age=31536000; includeSubDomains');
    // add_header with an empty value sends no header.
    expect(applyMap(`$${variable}`, 'http')).toBe('');
  });

  it('hides the backend\'s copies of the headers, so that no answer carries two', () => {
    expect(all(server.children!, 'proxy_hide_header').map((directive) => directive.args[0]).sort()).toEqual([...SECURITY_HEADERS].sort());
    // As with add_header, a location with proxy_hide_header of its own would drop the server's.
    for (const block of locations) expect(all(block.children!, 'proxy_hide_header')).toEqual([]);
  });

  it.each(['/api/metrics', '/api/metrics/', '/api/METRICS', '/API/Metrics', '/api/metrics?x=1', '/api//metrics', '/api/%6detrics'])(
    'answers %s with 404, never with the metrics',
    (spelling) => {
      const chosen = locationFor(spelling);
      expect(all(chosen.children!, 'return').map((directive) => directive.args)).toEqual([['404']]);
      expect(all(chosen.children!, 'proxy_pass')).toEqual([]);
    },
  );

  it('still proxies the rest of the API and the sockets to the nodes', () => {
    for (const [requestPath, expected] of [
      ['/api/health/ready', '/api/'],
      ['/api/notifications?limit=5', '/api/'],
      ['/api/auth/login', '/api/'],
      ['/socket.io/?EIO=4&transport=websocket', '/socket.io/'],
      ['/ws/notifications/?token=x', '/ws/'],
    ]) {
      expect([requestPath, locationFor(requestPath).args]).toEqual([requestPath, [expected]]);
      expect(all(location(expected).children!, 'proxy_pass')[0].args).toEqual(['http://clinic_backend']);
    }
  });

  it('passes the Host the browser sent, port included, which the nodes compare with the Origin', () => {
    for (const block of [location('/api/'), location('/socket.io/'), location('/ws/')]) {
      expect(all(block.children!, 'proxy_set_header').find((header) => header.args[0] === 'Host')?.args[1]).toBe('$http_host');
    }
  });

  it('tells the nodes the address it saw, never one a client claimed in its own X-Forwarded-For', () => {
    for (const block of [location('/api/'), location('/socket.io/'), location('/ws/')]) {
      expect(all(block.children!, 'proxy_set_header').find((header) => header.args[0] === 'X-Forwarded-For')?.args[1]).toBe('$remote_addr');
    }
  });

  it('logs request lines without their query string (a socket may carry its token as ?token=)', () => {
    const accessLogs = [server, ...locations].flatMap((block) => all(block.children!, 'access_log'));
    expect(accessLogs.length).toBeGreaterThan(0);
    const formats = new Set(accessLogs.map((directive) => directive.args[1]));
    expect([...formats]).toEqual(['clinic']);
    const format = conf.find((directive) => directive.name === 'log_format' && directive.args[0] === 'clinic')!.args.slice(1).join('');
    const variables = [...format.matchAll(/\$\{?(\w+)\}?/g)].map((match) => match[1]);
    expect(variables.filter((name) => ['request', 'request_uri', 'args', 'query_string', 'request_body'].includes(name) || name.startsWith('arg_'))).toEqual([]);
    // A variable the file derives itself (a map) must not bring the query back in.
    for (const name of variables.filter((variable) => conf.some((directive) => directive.name === 'map' && directive.args[1] === `$${variable}`))) {
      expect(applyMap(`$${name}`, '/socket.io/?EIO=4&transport=websocket&token=secret-token')).toBe('/socket.io/');
      expect(applyMap(`$${name}`, '/api/notifications')).toBe('/api/notifications');
    }
  });
});
