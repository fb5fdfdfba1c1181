import type { Config } from '../config/schema.js';
import { ModelRouter, type ModelRoute } from './router.js';

/** Builds the router from a validated config; `created` is the config load time, in Unix seconds. */
export function routerFromConfig(config: Config, created = Math.floor(Date.now() / 1000)): ModelRouter {
  const routes: ModelRoute[] = config.models.map((model) => ({
    name: model.name,
    aliases: model.aliases,
    pools: model.backends,
    fallbacks: model.fallbacks,
    slo: {
      ...(model.slo?.ttftMs === undefined ? {} : { ttftMs: model.slo.ttftMs }),
      ...(model.slo?.tpotMs === undefined ? {} : { tpotMs: model.slo.tpotMs }),
    },
    ownedBy: model.ownedBy,
    created,
  }));
  return new ModelRouter(routes);
}
