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

/**
 * Maps zod issues to config issues; unknown keys get one issue each, at the key's own path, with the
 * closest allowed key of `schema` at that place as a suggestion.
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], schema: z.core.$ZodType): ConfigIssue[] {
  const list = new IssueList();
  for (const issue of issues) {
    const path = issue.path.filter((seg): seg is PathSegment => typeof seg !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = suggestKey(schema, path, key);
        const hint = suggestion === undefined ? '' : `, did you mean "${suggestion}"?`;
        list.add([...path, key], `unknown key${hint}`);
      }
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      list.add(path, `required: ${issue.message.replace(/, received undefined$/, '')}`);
    } else {
      list.add(path, issue.message);
    }
  }
  return list.toArray();
}

/** One line per issue, as `check-config` prints them. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string[] {
  return issues.map((issue) => `${issue.path}: ${issue.message}`);
}
