import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
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
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics of this node' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
