import type { Slo } from '../spec/request.js';

/** A public model as the router knows it. */
export interface ModelRoute {
  /** Canonical public name (aliases resolve to it). */
  name: string;
  aliases: readonly string[];
  /** Pool names whose replicas serve it. */
  pools: readonly string[];
  /** Public model names to try next, in order, after a retryable failure on every pool. */
  fallbacks: readonly string[];
  slo: Slo;
  ownedBy: string;
  created: number;
}

/**
 * Public model → pools, and the fallback chain. Pure: built once from config, no I/O, no timers; the
 * chain for each name is computed at construction so a request does a single map lookup.
 */
export class ModelRouter {
  readonly #byName = new Map<string, ModelRoute>();
  readonly #chains = new Map<string, readonly ModelRoute[]>();
  readonly models: readonly ModelRoute[];

  constructor(models: readonly ModelRoute[]) {
    this.models = models;
    for (const model of models) {
      this.#byName.set(model.name, model);
      for (const alias of model.aliases) this.#byName.set(alias, model);
    }
    for (const model of models) {
      const chain = this.#buildChain(model);
      this.#chains.set(model.name, chain);
      for (const alias of model.aliases) this.#chains.set(alias, chain);
    }
  }

  /** The model a name or alias refers to. */
  resolve(name: string): ModelRoute | undefined {
    return this.#byName.get(name);
  }

  /**
   * The models to try for `name`, in order: itself, then its fallbacks, then theirs (breadth first),
   * each once — so a cycle `a → b → a` is harmless.
   */
  chain(name: string): readonly ModelRoute[] | undefined {
    return this.#chains.get(name);
  }

  #buildChain(first: ModelRoute): ModelRoute[] {
    const chain: ModelRoute[] = [];
    const seen = new Set<string>();
    const queue: ModelRoute[] = [first];
    while (queue.length > 0) {
      const model = queue.shift() as ModelRoute;
      if (seen.has(model.name)) continue;
      seen.add(model.name);
      chain.push(model);
      for (const fallback of model.fallbacks) {
        const next = this.#byName.get(fallback);
        if (next !== undefined && !seen.has(next.name)) queue.push(next);
      }
    }
    return chain;
  }
}
