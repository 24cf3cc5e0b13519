// The layout is the data flow (STYLE.md): these import boundaries keep it honest.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Project-relative targets of a file's imports, with whether each is `import type`. */
function imports(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found: { target: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm)) {
    found.push({ target: relative(root, resolve(dirname(file), m[2]!)), typeOnly: m[1] !== undefined });
  }
  return found;
}

function violations(folder: string, allowed: (target: string, typeOnly: boolean) => boolean): string[] {
  return sources(join(root, folder)).flatMap((file) =>
    imports(file)
      .filter((i) => !allowed(i.target, i.typeOnly))
      .map((i) => `${relative(root, file)} imports ${i.target}`),
  );
}

/** Every strongly connected group of files (Tarjan), as project-relative paths: each one is an import cycle. */
function importCycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [relative(root, f), imports(f).map((i) => i.target.replace(/\.js$/, '.ts'))]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const group = stack.splice(stack.indexOf(file));
    if (group.length > 1) cycles.push(group.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

describe('architecture', () => {
  it('codec/ is pure: it imports only itself and errors.ts', () => {
    expect(violations('src/codec', (t) => t.startsWith('src/codec/') || t === 'src/errors.js')).toEqual([]);
  });

  it('allocator/ is pure pool math: itself, errors.ts and config types only', () => {
    expect(violations('src/allocator', (t, typeOnly) =>
      t.startsWith('src/allocator/') || t === 'src/errors.js' || (typeOnly && t === 'src/config/types.js'))).toEqual([]);
  });

  it('machines/ import only types, and only of the layers below them: codec, config and net types', () => {
    expect(violations('machines', (t, typeOnly) =>
      t.startsWith('machines/') || (typeOnly && /^src\/(codec\/|config\/types|net\/types)/.test(t)))).toEqual([]);
  });

  it('net/ never imports machines/ or the server', () => {
    expect(violations('src/net', (t) => !t.startsWith('machines/') && !t.startsWith('src/server/'))).toEqual([]);
  });

  it('store/ knows nothing of the network, the router, the server, the lease book or the supervisor', () => {
    expect(violations('src/store', (t) => !/^src\/(net|router|server|leases|supervisor)\//.test(t))).toEqual([]);
  });

  it('config/ is read by every layer, so it imports only the codec, errors.ts and itself', () => {
    expect(violations('src/config', (t) => /^src\/(config|codec)\//.test(t) || t === 'src/errors.js')).toEqual([]);
  });

  it('supervisor/ restarts children without knowing the server', () => {
    expect(violations('src/supervisor', (t) => !/^src\/(server|router|net|control)\//.test(t))).toEqual([]);
  });

  it('no two files import each other, directly or through others', () => {
    expect(importCycles([...sources(join(root, 'src')), ...sources(join(root, 'machines'))])).toEqual([]);
  });

  it('only cli-main.ts touches process (and early-prefetch.ts, the entry\'s first import, which reads its argv before the rest loads)', () => {
    const offenders = [...sources(join(root, 'src')), ...sources(join(root, 'machines'))]
      .filter((f) => !f.endsWith('/src/cli-main.ts') && !f.endsWith('/src/early-prefetch.ts') && /\bprocess\.(exit|on|once|argv|exitCode)\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
