// Rewrites the machine diagrams in README.md and docs/machines.md from the definitions (`npx tsx scripts/gen-diagrams.ts`),
// and the SVGs in docs/img/ (the same drawing `actor-dhcpd diagram NAME --format svg` prints).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { refreshDiagrams } from '../src/visualizer/diagram-docs.js';
import { toSvg } from '../src/visualizer/render-svg.js';
import { MACHINE_NAMES, statechartOf } from '../src/visualizer/statechart.js';

const root = resolve(import.meta.dirname, '..');
for (const file of ['README.md', 'docs/machines.md']) {
  const path = resolve(root, file);
  writeFileSync(path, refreshDiagrams(readFileSync(path, 'utf8')));
  console.log(`wrote ${path}`);
}
for (const name of MACHINE_NAMES) {
  const path = resolve(root, `docs/img/${name}-machine.svg`);
  writeFileSync(path, await toSvg(statechartOf(name)));
  console.log(`wrote ${path}`);
}
