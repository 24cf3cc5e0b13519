// A real crash: a child process writing leases is SIGKILLed at a random moment; every address it saw
// acknowledged must be in the store afterwards, whole (the batch is atomic).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openLevelStore } from '../../../src/store/open.js';
import { collect, makeTempDir } from './helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));
const PER_ROUND = 20_000;
const ROUND_TIMEOUT_MS = 20_000;

/** Runs the writer until `killAfter` acknowledgements (or the timeout), SIGKILLs it, returns what it acknowledged. */
async function runAndKill(dir: string, first: number, killAfter: number): Promise<{ acked: string[]; finished: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(first), String(PER_ROUND), '64'], {
    cwd: PROJECT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: string[] = [];
  let finished = false;
  let stderr = '';
  let partial = '';
  const timeout = setTimeout(() => child.kill('SIGKILL'), ROUND_TIMEOUT_MS);
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? ''; // an unterminated line was not acknowledged completely: ignore it
    for (const line of lines) {
      if (line === 'done') finished = true;
      else if (line !== 'ready') acked.push(line);
    }
    if (acked.length >= killAfter) child.kill('SIGKILL');
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timeout);
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`writer failed (${code}): ${stderr}`);
  return { acked, finished };
}

describe('crash safety (SIGKILL of a writing process)', () => {
  it('keeps every acknowledged lease across three random kills', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-crash-');
    const everAcked = new Set<string>();
    try {
      for (let round = 0; round < 3; round++) {
        const killAfter = 20 + Math.floor(Math.random() * 4000);
        const { acked, finished } = await runAndKill(temp.dir, round * PER_ROUND, killAfter);
        expect(finished, `round ${round} should be killed mid-run (kill after ${killAfter})`).toBe(false);
        expect(acked.length).toBeGreaterThanOrEqual(Math.min(killAfter, 1));
        for (const ip of acked) everAcked.add(ip);

        const store = await openLevelStore(temp.dir);
        try {
          const loaded = await collect(store.loadAll());
          const present = new Set(loaded.map((r) => r.context.ip));
          const missing = [...everAcked].filter((ip) => !present.has(ip));
          expect(missing, `round ${round}, killed after ${acked.length} acks`).toEqual([]);
          for (const record of loaded.slice(-50)) {
            expect(await store.get(record.context.ip)).toEqual(record);
          }
        } finally {
          await store.close();
        }
      }
    } finally {
      await temp.remove();
    }
  });
});
