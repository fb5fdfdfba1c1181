import type { Config } from './schema.js';
import { validateConfig, type ParseConfigOptions } from './load.js';

export interface QuickConfigOptions {
  upstream: string;
  model: string;
  apiKey?: string;
  vendor?: string;
  host?: string;
  port?: number;
}

/**
 * `switchyard serve --upstream URL --model NAME`: one pool with one replica, no config file. The public
 * name and the upstream model id are the same, so the gateway is a transparent front.
 */
export function quickConfig(options: QuickConfigOptions, checks: Omit<ParseConfigOptions, 'source' | 'env'> = {}): Config {
  return validateConfig(
    {
      server: { ...(options.host === undefined ? {} : { host: options.host }), ...(options.port === undefined ? {} : { port: options.port }) },
      backends: [
        {
          name: 'upstream',
          provider: 'openai-compatible',
          ...(options.vendor === undefined ? {} : { vendor: options.vendor }),
          model: options.model,
          replicas: [{ id: 'upstream-0', url: options.upstream }],
          ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
        },
      ],
      models: [{ name: options.model, backends: ['upstream'] }],
    },
    { ...checks, source: '--upstream' },
  );
}
