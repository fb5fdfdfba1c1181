/**
 * Virtual Token Counter fairness (Sheng et al., "Fairness in Serving Large Language Models", OSDI 2024,
 * Algorithm 2). Each tenant has a counter of the service it received, in weighted tokens; when requests
 * wait, the next one comes from the backlogged tenant with the smallest counter. A tenant that was idle is
 * lifted to the smallest counter among backlogged tenants when it returns, so it cannot bank credit while
 * away, and a flooding tenant cannot starve the others: its counter runs ahead and its requests wait.
 *
 * Cost of a request = (inputWeight × input tokens + outputWeight × output tokens) / tenant weight; the
 * paper's evaluation uses input weight 1 and output weight 2 (decoding a token costs more than prefilling
 * one). Output is charged at dispatch from the request's expected output and corrected on completion.
 */
export interface FairnessOptions {
  inputWeight?: number;
  outputWeight?: number;
  /** Share weights per tenant (default 1): a tenant of weight 2 gets twice the service of a weight-1 one. */
  tenantWeights?: Readonly<Record<string, number>>;
}

export class VirtualTokenCounter {
  readonly #counters = new Map<string, number>();
  readonly #inputWeight: number;
  readonly #outputWeight: number;
  readonly #tenantWeights: Readonly<Record<string, number>>;
  /** Counter of the tenant served last: the lift target when nobody is backlogged. */
  #lastServed = 0;

  constructor(options: FairnessOptions = {}) {
    this.#inputWeight = options.inputWeight ?? 1;
    this.#outputWeight = options.outputWeight ?? 2;
    this.#tenantWeights = options.tenantWeights ?? {};
  }

  counter(tenant: string): number {
    return this.#counters.get(tenant) ?? 0;
  }

  /**
   * A tenant with no waiting request gets one: lift its counter to the minimum over the backlogged tenants
   * (or to the last served counter when none is backlogged), never lower it.
   */
  lift(tenant: string, backlogged: Iterable<string>): void {
    let min = Infinity;
    for (const other of backlogged) if (other !== tenant) min = Math.min(min, this.counter(other));
    const floor = min === Infinity ? this.#lastServed : min;
    this.#counters.set(tenant, Math.max(this.counter(tenant), floor));
  }

  /** Charges a dispatched request: its input, and its expected output. */
  chargeDispatch(tenant: string, inputTokens: number, expectedOutputTokens: number): void {
    const cost = this.#inputWeight * inputTokens + this.#outputWeight * expectedOutputTokens;
    this.#add(tenant, cost);
    this.#lastServed = this.counter(tenant);
  }

  /** Corrects the output charge once the real output is known. */
  chargeCompletion(tenant: string, expectedOutputTokens: number, actualOutputTokens: number): void {
    this.#add(tenant, this.#outputWeight * (actualOutputTokens - expectedOutputTokens));
  }

  #add(tenant: string, cost: number): void {
    const weight = this.#tenantWeights[tenant] ?? 1;
    this.#counters.set(tenant, this.counter(tenant) + cost / (weight > 0 ? weight : 1));
  }
}
