import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { Public } from '../auth/auth.decorators';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  // No user session: a scraper proves itself with METRICS_TOKEN when one is set (required in
  // production unless METRICS_PORT moves the metrics off this port); nginx never forwards it.
  @Public()
  @UseGuards(MetricsTokenGuard)
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics of this node' })
  @ApiOkResponse({ description: 'The Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiErrors({ 401: 'METRICS_TOKEN is set and the request does not carry Authorization: Bearer <METRICS_TOKEN>' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
