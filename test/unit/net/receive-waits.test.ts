// The addon reports how long each datagram waited in the socket's queue (from the kernel's receive timestamp), which
// overload control reads (standing-queue.ts). On the real addon, in a network namespace of its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findAddon } from '../../../src/net/native-binding.js';

const child = fileURLToPath(new URL('./receive-waits.child.ts', import.meta.url));
const canRun = findAddon() !== undefined && process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0;

describe.skipIf(!canRun)('the addon reports each datagram\'s wait in the socket queue', () => {
  it('about 0 for a datagram read as it arrives, at least the time the loop was blocked for one that waited', () => {
    const run = spawnSync('unshare', ['-n', 'sh', '-c',
      `ip link set lo up && ip addr add 198.51.100.1/32 dev lo && exec "${process.execPath}" --import tsx "${child}"`], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status, run.stderr).toBe(0);
    const [prompt, queued] = JSON.parse(run.stdout) as number[];
    expect(prompt).toBeGreaterThanOrEqual(0);
    expect(prompt).toBeLessThan(40_000);
    expect(queued).toBeGreaterThanOrEqual(55_000);
    expect(queued).toBeLessThan(5_000_000);
  });
});
