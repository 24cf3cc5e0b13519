// Config issues: a JSON path plus a message; the shape `check-config` prints and reload reports.
import type { z } from 'zod';
import { suggestKey } from './suggest.js';

export interface ConfigIssue {
  /** JSON path into the config file, e.g. `$.subnets[0].pools[1].end`. */
  readonly path: string;
  readonly message: string;
}

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['subnets', 0, 'options', '66']` -> `$.subnets[0].options["66"]`. */
export function formatPath(path: Path): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Collects issues while compiling; paths stay as segments until the end. */
export class IssueList {
  readonly #issues: ConfigIssue[] = [];
  readonly #seen = new Set<string>();

  add(path: Path, message: string): void {
    const issue = { path: formatPath(path), message };
    // Inherited defaults are checked once per subnet; report each fault once.
    const key = `${issue.path}\u0000${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#issues.push(issue);
  }

  get size(): number {
    return this.#issues.length;
  }

  toArray(): ConfigIssue[] {
    return [...this.#issues];
  }
}

type ZodIssue = z.core.$ZodIssue;

function valueAt(input: unknown, path: Path): { found: boolean } {
  let node = input;
  for (const seg of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, seg)) return { found: false };
    node = (node as Record<PathSegment, unknown>)[seg];
  }
  return { found: true };
}

/** A union whose other branches failed on the type alone: the branch that matched is the one to report. */
function matchingBranch(issue: ZodIssue): readonly ZodIssue[] | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const candidates = issue.errors.filter(
    (branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
  );
  return candidates.length === 1 ? candidates[0] : undefined;
}

interface Context {
  readonly list: IssueList;
  readonly schema: z.core.$ZodType;
  readonly input: unknown;
}

function addIssue(ctx: Context, issue: ZodIssue, prefix: Path): void {
  const path = [...prefix, ...issue.path.filter((seg): seg is PathSegment => typeof seg !== 'symbol')];
  const branch = matchingBranch(issue);
  if (branch !== undefined) {
    for (const inner of branch) addIssue(ctx, inner, path);
  } else if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) {
      const suggestion = suggestKey(ctx.schema, path, key);
      const hint = suggestion === undefined ? '' : `, did you mean "${suggestion}"?`;
      ctx.list.add([...path, key], `unknown key${hint}`);
    }
  } else if (path.length > 0 && !valueAt(ctx.input, path).found) {
    const what = issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '');
    ctx.list.add(path, `required: ${what}`);
  } else {
    ctx.list.add(path, issue.message);
  }
}

/**
 * Maps zod issues to config issues: unknown keys get one issue each at the key's own path, with the closest
 * allowed key at that place as a suggestion; a missing field says "required"; a union reports the branch
 * whose type matched.
 */
export function fromZodIssues(issues: readonly ZodIssue[], schema: z.core.$ZodType, input: unknown): ConfigIssue[] {
  const ctx: Context = { list: new IssueList(), schema, input };
  for (const issue of issues) addIssue(ctx, issue, []);
  return ctx.list.toArray();
}

/** One line per issue, as `check-config` prints them. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string[] {
  return issues.map((issue) => `${issue.path}: ${issue.message}`);
}
