/**
 * Prints the calibration table (model vs published measurements) as Markdown for docs/calibration.md.
 *
 *   node --import tsx bench/calibration.ts
 */
import { CALIBRATION } from '../src/engine/calibration.js';

const fmt = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? 1 : 3));

console.log('| row | what | measured | model | error | tolerance | source |');
console.log('|---|---|---|---|---|---|---|');
for (const r of CALIBRATION) {
  const model = r.model();
  const error = ((model - r.measured) / r.measured) * 100;
  const measured = r.range ? `${fmt(r.range[0])}–${fmt(r.range[1])} (mid ${fmt(r.measured)})` : fmt(r.measured);
  const note = r.note ? ` *(${r.note})*` : '';
  console.log(
    `| \`${r.id}\` | ${r.what}${note} | ${measured} ${r.unit} | ${fmt(model)} ${r.unit} | ${error >= 0 ? '+' : ''}${error.toFixed(1)}% | ±${Math.round(r.tolerance * 100)}% | ${r.source} |`,
  );
}
