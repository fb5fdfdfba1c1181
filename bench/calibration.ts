/**
 * Prints the calibration table (model vs published measurements) as Markdown for docs/calibration.md.
 *
 *   node --import tsx bench/calibration.ts
 */
import { calibrationTable } from '../src/engine/calibration.js';

console.log(calibrationTable());
