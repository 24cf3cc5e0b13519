// Writes config/actor-dhcpd.schema.json from the zod config schema: `npx tsx scripts/gen-config-schema.ts [--check]`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/json-schema.js';

const target = fileURLToPath(new URL('../config/actor-dhcpd.schema.json', import.meta.url));
const text = configJsonSchemaText();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== text) {
    console.error(`${target} is stale: run npx tsx scripts/gen-config-schema.ts`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
