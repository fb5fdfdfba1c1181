/** The hardware catalogue: ids are stable (configs and traces name them). */
import { A100_80GB, H100_SXM, H200, L4, L40S } from './hardware-nvidia.js';
import { INFERENTIA2, TRAINIUM2, XEON_SPR_AMX } from './hardware-other.js';
import type { HardwareProfile } from './types.js';

export const HARDWARE: Readonly<Record<string, HardwareProfile>> = Object.freeze({
  [H100_SXM.id]: H100_SXM,
  [H200.id]: H200,
  [A100_80GB.id]: A100_80GB,
  [L40S.id]: L40S,
  [L4.id]: L4,
  [TRAINIUM2.id]: TRAINIUM2,
  [INFERENTIA2.id]: INFERENTIA2,
  [XEON_SPR_AMX.id]: XEON_SPR_AMX,
});

/** The profile for `id`; throws naming the known ids when there is none. */
export function hardwareProfile(id: string): HardwareProfile {
  const profile = Object.hasOwn(HARDWARE, id) ? HARDWARE[id] : undefined;
  if (!profile) {
    throw new RangeError(`unknown hardware "${id}"; known hardware: ${Object.keys(HARDWARE).join(', ')}`);
  }
  return profile;
}
