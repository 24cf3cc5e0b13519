// The addon reports how long each datagram waited in the socket's queue (from the kernel's receive timestamp) and
// how many its full queue dropped, which overload control reads (overflow-shedding.ts). On the real addon, in a
// network namespace of its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findAddon } from '../../../src/net/native-binding.js';

const child = fileURLToPath(new URL('./receive-waits.child.ts', import.meta.url));
const canRun = findAddon() !== undefined && process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0;

describe.skipIf(!canRun)('the addon reports each datagram\'s wait in the socket queue, and the queue\'s drops', () => {
  it('a wait of about 0 read as it arrives, at least the time the loop was blocked when it waited; the drops of a burst', () => {
    const run = spawnSync('unshare', ['-n', 'sh', '-c',
      `ip link set lo up && ip addr add 198.51.100.1/32 dev lo && exec "${process.execPath}" --import tsx "${child}"`], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status, run.stderr).toBe(0);
    const { waits, drops } = JSON.parse(run.stdout) as { waits: number[]; drops: number[] };
    const [prompt, queued] = waits as [number, number];
    expect(prompt).toBeGreaterThanOrEqual(0);
    expect(prompt).toBeLessThan(40_000);
    expect(queued).toBeGreaterThanOrEqual(55_000);
    expect(queued).toBeLessThan(5_000_000);
    // No drop before the burst; after it, the count the full queue dropped (200 sent into room for a few).
    expect(drops.slice(0, 2)).toEqual([0, 0]);
    expect(drops[2]).toBeGreaterThan(100);
    expect(drops[2]).toBeLessThan(200);
  });
});
