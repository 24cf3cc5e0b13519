// The installed command (dist/src/cli.js, run by its shebang: systemd's ExecStart, the test harness's
// daemonCommand()) starts V8 with the heap sizing docs/security.md "Memory under a flood" measured: a young
// generation of 2 x 32 MB committed from the start, and an old generation that grows by 50 % between mark-compacts.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const shebang = readFileSync(join(REPO, 'src/cli.ts'), 'utf8').split('\n', 1)[0]!;

/** What node reports about itself when started as the shebang starts it (`env -S "node FLAGS"` + our arguments). */
async function launched(): Promise<{ execArgv: string[]; newSpaceMb: number }> {
  const [interpreter, split, command] = shebang.replace(/^#!/, '').split(/\s+(-S)\s+/);
  expect([interpreter, split]).toEqual(['/usr/bin/env', '-S']);
  const probe = `const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
    console.log(JSON.stringify({ execArgv: process.execArgv, newSpaceMb: s.space_size / 1048576 }))`;
  const { stdout } = await run(interpreter!, ['-S', command!, '-e', probe], { timeout: 30_000 });
  return JSON.parse(stdout) as { execArgv: string[]; newSpaceMb: number };
}

describe("the installed command's V8 heap sizing", () => {
  it('starts node with the young generation committed at 32 MB per semi-space and the old generation growing by 50 %', async () => {
    const { execArgv, newSpaceMb } = await launched();
    expect(execArgv).toEqual(expect.arrayContaining(['--max-semi-space-size=32', '--min-semi-space-size=32', '--heap-growing-percent=25']));
    // V8 took them: the new space is at its full semi-space capacity before any load (the default starts at 1 MB).
    expect(newSpaceMb).toBeGreaterThanOrEqual(32);
  });
});
