import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent as written: no normalisation or re-encoding, so a test can send any path and query. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** One keep-alive pool per process: thousands of cases reuse a few connections. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** An HTTP request exactly as given (bytes, headers, path), unlike supertest or fetch. */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  // Node sends a GET or DELETE body without framing unless told its length.
  const length = request.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(request.body)) };
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { agent, host: hostname, port, method: request.method, path: request.path, headers: { ...length, ...request.headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

export function closeRawConnections(): void {
  agent.destroy();
}

/** Runs `work` over `items` with at most `concurrency` at a time; results in input order. */
export async function inPool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
