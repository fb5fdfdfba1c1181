// Rewrites the table in docs/errors.md from src/errors/catalog.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderErrorTable, TABLE_END, TABLE_START } from '../src/errors/errors-doc.js';

const path = new URL('../docs/errors.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const start = doc.indexOf(TABLE_START);
const end = doc.indexOf(TABLE_END);
if (start < 0 || end < start) throw new Error('docs/errors.md lacks the table markers');
writeFileSync(path, `${doc.slice(0, start + TABLE_START.length)}\n${renderErrorTable()}\n${doc.slice(end)}`);
