// src/rx.ts loads rxjs's modules one by one (start-up): each value must be the one rxjs's own index exports, and
// loading it must not load that index.
import { execFileSync } from 'node:child_process';
import * as rxjs from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as rx from '../../src/rx.js';

describe('rx (rxjs modules loaded one by one)', () => {
  it.each(Object.keys(rx))('%s is the value rxjs exports under that name', (name) => {
    const ours = (rx as Record<string, unknown>)[name];
    expect(ours).toBeDefined();
    expect(ours).toBe((rxjs as Record<string, unknown>)[name]);
  });

  it('does not load rxjs\'s index, only a few of its modules', () => {
    const rxModule = JSON.stringify(new URL('../../src/rx.ts', import.meta.url).href);
    const script = `import(${rxModule}).then(() => {
      const loaded = Object.keys(require.cache).filter((file) => file.includes('/rxjs/'));
      console.log(JSON.stringify({ index: loaded.some((file) => file.endsWith('/rxjs/dist/cjs/index.js')), modules: loaded.length }));
    })`;
    const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' })) as { index: boolean; modules: number };
    expect(out.index).toBe(false);
    expect(out.modules).toBeGreaterThan(0);
    expect(out.modules).toBeLessThan(100);
  });
});
