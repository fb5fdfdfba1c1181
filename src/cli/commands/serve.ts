import { booleanFlag, formatHelp, numberFlag, parseArgs, stringFlag, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { ConfigError, loadConfigFile } from '../../config/load.js';
import { quickConfig } from '../../config/quick.js';
import type { Config } from '../../config/schema.js';
import { PROVIDER_IDS } from '../../providers/registry.js';
import { VENDOR_NAMES } from '../../providers/openai-compatible/vendors.js';
import { POLICY_NAMES } from '../../scheduler/registry.js';
import { Gateway } from '../../server/gateway.js';
import { listen } from '../../server/http-server.js';
import { startDemoFleet, type DemoFleet } from '../../server/demo-fleet.js';
import { createLogger, type Logger } from '../../server/logger.js';
import { mountAdmin, tenancyHooks, tenancyOptions } from '../../server/tenancy-hooks.js';
import { Tenancy } from '../../tenancy/tenancy.js';

const FLAGS: FlagSpecs = {
  config: { type: 'string', description: 'YAML config file (see docs/configuration.md)' },
  port: { type: 'string', description: 'port to listen on', default: '4000' },
  host: { type: 'string', description: 'address to bind', default: '127.0.0.1' },
  upstream: { type: 'string', description: 'front one OpenAI-compatible server (base URL incl. /v1), no config file' },
  model: { type: 'string', description: 'with --upstream: the model name to serve' },
  'api-key-env': { type: 'string', description: 'with --upstream: environment variable holding the upstream API key' },
  vendor: { type: 'string', description: 'with --upstream: vllm, sglang, llamacpp, ollama, tgi, openai' },
  speed: { type: 'string', description: 'with no config: how many times faster than real time the emulated fleet runs', default: '20' },
  db: { type: 'string', description: 'SQLite file for API keys and the usage ledger', default: '.switchyard/switchyard.db' },
  postgres: { type: 'string', description: 'PostgreSQL URL for keys and the ledger, shared by every gateway process' },
  redis: { type: 'string', description: 'Redis URL: rate limits and budgets shared by every gateway process' },
  auth: { type: 'boolean', description: 'require an API key on every request, even before any key exists' },
  help: { type: 'boolean', description: 'show this help' },
};

const USAGE =
  'switchyard serve [--config FILE] [--port N] [--host H] | serve --upstream URL --model NAME | serve (no config: emulated demo fleet) [--speed N]';

/** `switchyard serve`: the gateway. Stops gracefully on SIGTERM/SIGINT. */
const serve: Command = {
  name: 'serve',
  summary: 'run the gateway (OpenAI-compatible API in front of your fleet)',
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (booleanFlag(args, 'help')) {
      console.log(formatHelp(USAGE, FLAGS));
      return 0;
    }
    const port = numberFlag(args, 'port', { min: 0, integer: true });
    const host = stringFlag(args, 'host');
    let config: Config;
    let demo: DemoFleet | undefined;
    try {
      if (args.flags.config === undefined && args.flags.upstream === undefined) {
        demo = await startDemoFleet({ speed: numberFlag(args, 'speed', { min: 0.001 }) ?? 20 });
        config = demo.config;
      } else config = resolveConfig(args.flags, port, host);
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(`switchyard: ${error.message}`);
        return 2;
      }
      throw error;
    }
    // tenancy: keys, limits, budgets and the ledger (docs/tenancy.md); flags override the config file.
    for (const [flag, field] of [['db', 'sqlite'], ['postgres', 'postgres'], ['redis', 'redis']] as const) {
      const value = stringFlag(args, flag);
      if (value !== undefined) config.tenancy[field] = value;
    }
    if (booleanFlag(args, 'auth')) config.tenancy.requireKeys = true;
    const logger = createLogger(config.server.logLevel);
    let tenancy: Tenancy;
    try {
      tenancy = await Tenancy.open(tenancyOptions(config));
    } catch (error) {
      console.error(`switchyard: cannot start tenancy (keys, limits, ledger): ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const hooks = tenancyHooks({ tenancy, config, logger, replicaInFlight: (id) => gateway.fleet.get(id)?.inFlight ?? 0 });
    const gateway: Gateway = new Gateway({ config, hooks, logger });
    mountAdmin(gateway, tenancy);
    gateway.shutdownHooks.push(() => tenancy.close());
    if (demo !== undefined) {
      const fleet = demo.fleet;
      gateway.shutdownHooks.push(() => fleet.close());
      gateway.logger.info('no config given: started an emulated fleet', {
        replicas: fleet.replicas.map((r) => `${r.pool}/${r.id} ${r.hardware} ${r.model} ${r.url}`),
      });
    }
    const running = await listen(gateway, host ?? config.server.host, port ?? config.server.port);
    await warnIfOpen(tenancy, config.tenancy.requireKeys, host ?? config.server.host, logger);
    gateway.logger.info('switchyard gateway listening', {
      url: running.url,
      models: gateway.router.models.map((m) => m.name),
      replicas: [...gateway.fleet.all()].length,
      policy: config.routing.policy,
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        gateway.logger.info('shutting down', { signal, inFlight: gateway.inFlight });
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        void running.close().then(resolve);
      };
      const onTerm = (): void => stop('SIGTERM');
      const onInt = (): void => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    return 0;
  },
};

/** Names the config is checked against, so a typo is a startup error naming the field. */
const CHECKS = { providers: PROVIDER_IDS, policies: POLICY_NAMES, vendors: VENDOR_NAMES };

function resolveConfig(flags: Record<string, unknown>, port: number | undefined, host: string | undefined): Config {
  const upstream = flags.upstream;
  const file = flags.config;
  if (typeof upstream === 'string') {
    if (typeof file === 'string') throw new UsageError('--upstream and --config are exclusive');
    const model = flags.model;
    if (typeof model !== 'string') throw new UsageError('--upstream needs --model NAME');
    const keyEnv = flags['api-key-env'];
    const apiKey = typeof keyEnv === 'string' ? process.env[keyEnv] : undefined;
    if (typeof keyEnv === 'string' && apiKey === undefined) throw new UsageError(`environment variable ${keyEnv} is not set`);
    const vendor = flags.vendor;
    return quickConfig({
      upstream,
      model,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(typeof vendor === 'string' ? { vendor } : {}),
      ...(host === undefined ? {} : { host }),
      ...(port === undefined ? {} : { port }),
    }, CHECKS);
  }
  if (typeof file === 'string') return loadConfigFile(file, CHECKS);
  throw new UsageError('give --config FILE or --upstream URL --model NAME, or neither for the emulated demo fleet');
}

export default serve;

/**
 * An open gateway is right for the quick start on loopback and wrong anywhere else: say so at start-up.
 * With `requireKeys: auto` the first key created locks it.
 */
async function warnIfOpen(tenancy: Tenancy, requireKeys: boolean | 'auto', host: string, logger: Logger): Promise<void> {
  if (requireKeys === true || (await tenancy.authenticator.keysExist())) return;
  if (requireKeys === 'auto') {
    const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
    logger.warn(
      loopback
        ? 'no API keys exist: requests are served without authentication until the first key is created (switchyard keys create)'
        : `no API keys exist and the gateway listens on ${host}, beyond loopback: anyone who can reach it is served. Create a key (switchyard keys create) or start with --auth`,
    );
  } else {
    logger.warn('tenancy.requireKeys is false: requests without a key are served anonymously, without limits');
  }
}
