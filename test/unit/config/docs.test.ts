// docs/config.md stays in step with the schema and the codec's option table.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OPTION_DEFS } from '../../../src/codec/index.js';
import { configJsonSchema } from '../../../src/config/index.js';
import { RESERVED_OPTIONS } from '../../../src/config/options.js';

const DOC = new URL('../../../docs/config.md', import.meta.url);

/** Every property name anywhere in the generated JSON Schema. */
function schemaKeys(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) schemaKeys(item, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties') for (const name of Object.keys(value as object)) out.add(name);
      schemaKeys(value, out);
    }
  }
  return out;
}

describe('docs/config.md', () => {
  it('documents every config field', async () => {
    const doc = await readFile(DOC, 'utf8');
    const keys = [...schemaKeys(configJsonSchema())];
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((key) => !doc.includes(`| \`${key}\` |`))).toEqual([]);
  });

  it('lists every configurable option of the codec table', async () => {
    const doc = await readFile(DOC, 'utf8');
    const configurable = OPTION_DEFS.filter((def) => !RESERVED_OPTIONS.has(def.code));
    expect(configurable.filter((def) => !doc.includes(`| ${def.code} | \`${def.name}\` |`))).toEqual([]);
  });
});
