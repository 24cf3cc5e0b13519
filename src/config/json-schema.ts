// JSON Schema of the config file for editors, generated from the zod schema (scripts/gen-config-schema.ts).
import { z } from 'zod';
import { ConfigSchema } from './schema.js';

/** The schema of what may be written in the file (input side: fields with defaults are optional). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The committed file's exact text: stable key order, two-space indent, trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
