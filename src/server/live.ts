import { LiveFleet } from '../fleet/live-fleet.js';
import { createUndiciTransport } from '../transport/undici-transport.js';
import type { Gateway } from './gateway.js';
import { renderGatewayMetrics } from './gateway-metrics.js';
import { GatewayError } from '../errors/gateway-error.js';
import { bearerCheck } from './bearer-check.js';

/**
 * Starts the gateway's live view of its self-hosted replicas (src/fleet/live-fleet.ts: /metrics scrapes,
 * KV events, health checks), stops it on shutdown, and mounts `GET /metrics`. The monitors get their own
 * keep-alive pool, apart from inference traffic: a scrape must not queue behind a long stream, and the KV
 * event streams are long-lived, so no total deadline applies to them.
 */
export function attachLive(gateway: Gateway): LiveFleet {
  const transport = createUndiciTransport({
    timeouts: { connectMs: Math.min(2_000, gateway.config.timeouts.connectMs), firstByteMs: 10_000, chunkGapMs: 60_000, totalMs: 0 },
    connections: 4,
  });
  const live = new LiveFleet(gateway.fleet, { transport, clock: gateway.clock, logger: gateway.logger });
  live.start();
  gateway.shutdownHooks.push(async () => {
    await live.close();
    await transport.close();
  });
  const authorized = bearerCheck(gateway.config.server.metricsToken);
  gateway.get('/metrics', (_pipeline, context) => {
    if (!authorized(context.request.headers.authorization)) {
      throw new GatewayError('metrics_unauthorized', 'GET /metrics needs the metrics token (Authorization: Bearer …)');
    }
    const body = renderGatewayMetrics(gateway.fleet, live, gateway.requestCounts, gateway.config.routing.policy);
    context.response.writeHead(200, { ...context.headers, 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    context.response.end(context.request.method === 'HEAD' ? undefined : body);
  });
  if (live.size > 0) gateway.logger.info('live fleet monitoring started', { replicas: live.monitors.map((m) => m.replica.spec.id) });
  return live;
}
