import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of this node. One registry per application instance (not prom-client's
 * global one), so several instances in one process — as in the tests — do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'clinic_http_request_duration_seconds',
    help: 'HTTP request durations by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly connectedSockets = new Gauge({
    name: 'clinic_connected_sockets',
    help: 'Socket.IO connections open on this node',
    registers: [this.registry],
  });

  readonly connectedPlainWebSockets = new Gauge({
    name: 'clinic_connected_plain_websockets',
    help: 'Plain WebSocket connections (/ws/notifications/) open on this node',
    registers: [this.registry],
  });

  readonly plainWebSocketSlowReaders = new Counter({
    name: 'clinic_plain_websocket_slow_reader_cutoffs_total',
    help: 'Plain WebSocket connections cut because they stopped reading (over 1 MB queued for them)',
    registers: [this.registry],
  });

  readonly connectedUsers = new Gauge({
    name: 'clinic_connected_users',
    help: 'Distinct users with at least one socket (Socket.IO or plain WebSocket) on this node',
    registers: [this.registry],
  });

  readonly notificationsCreated = new Counter({
    name: 'clinic_notifications_created_total',
    help: 'Notifications persisted, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'clinic_deliveries_total',
    help: 'Email and SMS delivery attempts by channel and outcome (sent, outbox, retry, failed: dead-lettered)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly deliveryAttemptSeconds = new Histogram({
    name: 'clinic_delivery_attempt_seconds',
    help: 'How long one email or SMS provider call took, rate-limit wait included',
    labelNames: ['channel'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [this.registry],
  });

  readonly escalations = new Counter({
    name: 'clinic_escalation_steps_total',
    help: 'Escalation steps fired: sends nobody acknowledged in time',
    registers: [this.registry],
  });

  readonly retentionPurged = new Counter({
    name: 'clinic_retention_purged_total',
    help: 'Rows deleted by retention, by table (docs/operations.md, "Retention")',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });

  readonly eventsEmitted = new Counter({
    name: 'clinic_socket_events_emitted_total',
    help: 'Server-to-client events emitted to user rooms, by event name',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly deliveryLatency = new Histogram({
    name: 'clinic_notification_delivery_latency_seconds',
    help: 'From a notification being created to its emit to the user room (after commit)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    // Process metrics, including nodejs_eventloop_lag_seconds.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }
}
