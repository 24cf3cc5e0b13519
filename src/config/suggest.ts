// "Did you mean …?" for unknown keys: walks the zod schema to the object at the key's path.
import type { z } from 'zod';

type Node = z.core.$ZodType;

/** The wrapper and container kinds of zod 4 this schema uses, read from each node's definition. */
function child(node: Node, seg: string | number): Node | undefined {
  const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return child(def['innerType'] as Node, seg);
    case 'object':
      return typeof seg === 'string' ? (def['shape'] as Record<string, Node>)[seg] : undefined;
    case 'array':
      return typeof seg === 'number' ? (def['element'] as Node) : undefined;
    case 'union':
      for (const option of def['options'] as Node[]) {
        const found = child(option, seg);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function keysOf(node: Node): string[] {
  const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type === 'object') return Object.keys(def['shape'] as object);
  if ('innerType' in def) return keysOf(def['innerType'] as Node);
  if (def.type === 'union') return (def['options'] as Node[]).flatMap(keysOf);
  return [];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest allowed key of the object at `objectPath`, if one is close enough to be a likely typo. */
export function suggestKey(schema: Node, objectPath: readonly (string | number)[], key: string): string | undefined {
  let node: Node | undefined = schema;
  for (const seg of objectPath) node = node === undefined ? undefined : child(node, seg);
  if (node === undefined) return undefined;
  let best: { key: string; score: number } | undefined;
  for (const candidate of keysOf(node)) {
    const score = candidate.toLowerCase() === key.toLowerCase() ? 0 : distance(candidate, key);
    if (best === undefined || score < best.score) best = { key: candidate, score };
  }
  const limit = Math.max(1, Math.floor(key.length / 3));
  return best !== undefined && best.score <= limit ? best.key : undefined;
}
