import type { FleetSpec } from './fleet-file.js';

/**
 * A small heterogeneous fleet for demos and the gateway's zero-configuration start: one model on three
 * kinds of hardware, so routing by cost and latency has real choices (H100: fast and dear; L40S and L4:
 * cheaper, slower). `switchyard engine --fleet demo` runs it.
 */
export const DEMO_FLEET: FleetSpec = {
  pools: [
    { name: 'h100', hardware: 'h100-sxm', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 2 },
    { name: 'l40s', hardware: 'l40s', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 2 },
    { name: 'l4', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 2 },
  ],
};
