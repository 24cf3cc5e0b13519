// Rewrites the machine diagrams in README.md and docs/machines.md from the definitions (`npx tsx scripts/gen-diagrams.ts`),
// the SVGs in docs/img/ (the same drawing `actor-dhcpd diagram NAME --format svg` prints) and the layouts the daemon
// draws them with, computed here by ELK so that it needs none at run time (src/visualizer/statechart-layouts.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { refreshDiagrams } from '../src/visualizer/diagram-docs.js';
import { stopLayouts } from '../src/visualizer/elk-worker.js';
import { elkGraph, freshLayout, svgOf } from '../src/visualizer/render-svg.js';
import { layoutsModule } from '../src/visualizer/statechart-layouts.js';
import { MACHINE_NAMES, statechartOf } from '../src/visualizer/statechart.js';

const root = resolve(import.meta.dirname, '..');
for (const file of ['README.md', 'docs/machines.md']) {
  const path = resolve(root, file);
  writeFileSync(path, refreshDiagrams(readFileSync(path, 'utf8')));
  console.log(`wrote ${path}`);
}
const layouts = [];
for (const name of MACHINE_NAMES) {
  const chart = statechartOf(name);
  const laid = await freshLayout(chart);
  layouts.push({ graph: elkGraph(chart), laid });
  const path = resolve(root, `docs/img/${name}-machine.svg`);
  writeFileSync(path, svgOf(chart, laid));
  console.log(`wrote ${path}`);
}
stopLayouts();
const modulePath = resolve(root, 'src/visualizer/statechart-layouts.generated.ts');
writeFileSync(modulePath, layoutsModule(layouts));
console.log(`wrote ${modulePath}`);
