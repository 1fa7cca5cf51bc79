import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { grantsMetricsAccess } from './metrics-token';
import { MetricsService } from './metrics.service';

/** The one path the metrics server answers: the one the app port answers without METRICS_PORT. */
export const METRICS_PATH = '/api/metrics';

/**
 * With METRICS_PORT: the metrics on an HTTP server of their own, on HOST (loopback unless set)
 * and that port, which a firewall or a container network keeps internal. The app port then has
 * no /api/metrics. It opens with the application (init or listen) and closes after it.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private readonly server = http.createServer((request, response) => void this.answer(request, response));

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.metricsPort!, this.config.host, resolve);
    });
    const { address, port } = this.server.address() as AddressInfo;
    this.logger.log(`Metrics on http://${address}:${port}${METRICS_PATH}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    // A scraper's keep-alive connection would otherwise hold the close open.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = request.url?.split('?')[0];
    if (path !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (!grantsMetricsAccess(request.headers.authorization, this.config.metricsToken)) {
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer' }).end('Unauthorized\n');
      return;
    }
    try {
      const body = await this.metrics.registry.metrics();
      response.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body);
    } catch (error) {
      this.logger.error(`collecting metrics failed: ${(error as Error).message}`);
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Collecting metrics failed\n');
    }
  }
}
