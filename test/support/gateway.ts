import { validateConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { Gateway } from '../../src/server/gateway.js';
import { listen, type RunningServer } from '../../src/server/http-server.js';
import { createLogger } from '../../src/server/logger.js';
import type { CompletionRecord, GatewayHooks } from '../../src/server/lifecycle.js';

export interface TestGateway {
  url: string;
  gateway: Gateway;
  records: CompletionRecord[];
  close(): Promise<void>;
}

/** A real gateway on 127.0.0.1:0 with a config given as an object; records every completion. */
export async function startTestGateway(config: ConfigInput, hooks: GatewayHooks = {}): Promise<TestGateway> {
  const records: CompletionRecord[] = [];
  const gateway = new Gateway({
    config: validateConfig(config),
    logger: createLogger('silent'),
    hooks: {
      ...hooks,
      onComplete: (record) => {
        records.push(record);
        hooks.onComplete?.(record);
      },
    },
  });
  const running: RunningServer = await listen(gateway, '127.0.0.1', 0);
  return { url: running.url, gateway, records, close: () => running.close() };
}

/** Waits until `records` has `n` entries (the record is written after the response ends). */
export async function waitForRecords(records: readonly CompletionRecord[], n: number): Promise<void> {
  for (let i = 0; i < 200 && records.length < n; i++) await new Promise((r) => setTimeout(r, 5));
}
