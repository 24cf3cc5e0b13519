// The committed JSON Schema for editors must match the zod schema it is generated from.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from '../../../src/config/index.js';

const COMMITTED = new URL('../../../config/actor-dhcpd.schema.json', import.meta.url);

describe('config/actor-dhcpd.schema.json', () => {
  it('is up to date (regenerate: npx tsx scripts/gen-config-schema.ts)', async () => {
    expect(await readFile(COMMITTED, 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes the input side: strict objects, defaulted fields optional', () => {
    const schema = configJsonSchema() as {
      additionalProperties: unknown;
      required: string[];
      properties: Record<string, { default?: unknown }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['subnets']);
    expect(schema.properties['offerHoldSeconds']?.default).toBe(60);
  });
});
