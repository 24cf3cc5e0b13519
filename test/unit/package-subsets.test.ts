// src/rx.ts and src/metrics/prom.ts load only the modules of rxjs and prom-client the daemon uses (start-up time):
// each value must be the very one the package's index exports, and loading them must not load that index.
import { execFileSync } from 'node:child_process';
import * as promClient from 'prom-client';
import * as rxjs from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as prom from '../../src/metrics/prom.js';
import * as rx from '../../src/rx.js';

const subsets = [
  { name: 'rxjs', module: '../../src/rx.ts', ours: rx as Record<string, unknown>, index: rxjs as Record<string, unknown>, indexFile: '/rxjs/dist/cjs/index.js' },
  { name: 'prom-client', module: '../../src/metrics/prom.ts', ours: prom as Record<string, unknown>, index: promClient as Record<string, unknown>, indexFile: '/prom-client/index.js' },
];

/** The package's CommonJS modules a fresh process has loaded after importing `module`. */
function loadedBy(module: string, packageName: string): string[] {
  const script = `import(${JSON.stringify(new URL(module, import.meta.url).href)}).then(() => {
    console.log(JSON.stringify(Object.keys(require.cache).filter((file) => file.includes('/node_modules/${packageName}/'))));
  })`;
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' })) as string[];
}

describe.each(subsets)('$name, module by module', ({ name, module, ours, index, indexFile }) => {
  it.each(Object.keys(ours))('%s is the value the index exports under that name', (key) => {
    expect(ours[key]).toBeDefined();
    expect(ours[key]).toBe(index[key]);
  });

  it('does not load the index, only a few of its modules', () => {
    const loaded = loadedBy(module, name);
    expect(loaded.some((file) => file.endsWith(indexFile))).toBe(false);
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.length).toBeLessThan(60);
  });
});
