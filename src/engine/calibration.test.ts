import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CALIBRATION, calibrationTable } from './calibration.js';

const rows = new Map(CALIBRATION.map((r) => [r.id, r]));

describe('calibration (docs/calibration.md): the model stays within each row\'s stated tolerance', () => {
  for (const row of CALIBRATION) {
    test(`${row.id}: within ±${Math.round(row.tolerance * 100)}% of ${row.measured} ${row.unit}`, () => {
      const model = row.model();
      const error = (model - row.measured) / row.measured;
      assert.ok(Math.abs(error) <= row.tolerance, `${row.id}: model ${model.toFixed(3)} vs ${row.measured} (${(error * 100).toFixed(1)}%)`);
    });
  }

  test('decode never beats the bandwidth roofline', () => {
    const r = rows.get('llama8b-h100-bs1-roofline')!;
    assert.ok(r.model() > r.measured);
  });

  test('prefill never beats the Vidur upper bounds (they leave out attention and overheads)', () => {
    for (const id of ['llama8b-a100-prefill-vidur', 'llama70b-a100-tp4-prefill-vidur', 'llama8b-h100-prefill-vidur']) {
      const r = rows.get(id)!;
      assert.ok(r.model() < r.measured, id);
    }
  });
});

test('docs/calibration.md shows the table the code computes (regenerate: node --import tsx bench/calibration.ts)', () => {
  const doc = readFileSync(new URL('../../docs/calibration.md', import.meta.url), 'utf8');
  assert.ok(doc.includes(calibrationTable()), 'docs/calibration.md is stale');
});
