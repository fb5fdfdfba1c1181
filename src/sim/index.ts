/** The simulator's public API: run a simulation, read traces, generate workloads, load fleets, render reports. */
export { runSimulation, DEFAULT_QUEUE, type SimulationOptions, type SimulationOutput } from './simulate.js';
export type { SimResult, PoolResult } from './result.js';
export type { QueueOptions, RequestRecord } from './loop-types.js';
export { SimInputError, type SimRequest } from './types.js';
export type { SimPool } from './pool.js';
export { buildFleet, engineFactory } from './build-fleet.js';
export { parseFleetFile, readFleetFile, type FleetFile } from './fleet-file.js';
export { readTrace, parseTrace, shapeTrace, detectFormat, TRACE_FORMATS, type TraceFormat } from './trace/read-trace.js';
export { SyntheticWorkload } from './workload/synthetic.js';
export { defaultSpec, SYNTHETIC_KINDS, type SyntheticKind, type SyntheticSpec } from './workload/kinds.js';
export { parseWorkloadFile, readWorkloadFile } from './workload/workload-file.js';
export { renderReport } from './report/html.js';
export { summaryTable } from './report/table.js';
export type { TimelineSeries } from './metrics/timeline.js';
