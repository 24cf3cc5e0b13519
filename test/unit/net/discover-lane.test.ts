// The DISCOVER lane (native/lane.c, listen.discoverQueueKiB) on the real addon and the real kernel, in a network
// namespace of its own: DISCOVERs with option 53 first take a queue of their own, everything else the main one, once
// each whether unicast (the reuseport program picks the socket) or broadcast (delivered to both sockets, each filter
// keeps its share); and a burst of DISCOVERs that overflows its queue leaves the REQUESTs behind it untouched and
// read first. Without the lane, the same burst pushes those REQUESTs out of the kernel's queue.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findAddon } from '../../../src/net/native-binding.js';

const child = fileURLToPath(new URL('./discover-lane.child.ts', import.meta.url));
const canRun = findAddon() !== undefined && process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0;

interface Outcome {
  readonly lane: number;
  readonly single: { type: number; xid: number }[];
  readonly laneAfterSingle: number;
  readonly dropsAfterSingle: number[];
  readonly flood: { requests: number[]; firstDiscoverAt: number; discovers: number };
  readonly laneReceived: number;
  readonly laneDrops: number;
}

function run(laneBytes: number): Outcome {
  const setup = 'ip link set lo up && ip link add adn-la type veth peer name adn-lb && ip addr add 198.51.100.1/24 brd + dev adn-la'
    + ' && ip link set adn-lb up && ip link set adn-la up';
  const result = spawnSync('unshare', ['-n', 'sh', '-c', `${setup} && exec "${process.execPath}" --import tsx "${child}" ${laneBytes}`],
    { encoding: 'utf8', timeout: 30_000 });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Outcome;
}

const sorted = (items: { type: number; xid: number }[]): string[] => items.map((d) => `${d.type}:${d.xid}`).sort();
// Each kind of datagram, once by unicast and once by broadcast: DISCOVER (1) xid 1, REQUEST (3) xid 2, a DISCOVER
// with option 53 second xid 3, a short datagram (no type, its bytes 4-7 read as "-1").
const EVERY_ONE_ONCE = sorted([1, 2].flatMap(() => [{ type: 1, xid: 1 }, { type: 3, xid: 2 }, { type: 1, xid: 3 }, { type: -1, xid: -1 }]));

describe.skipIf(!canRun)('the DISCOVER lane on the real addon', () => {
  it('delivers every datagram once, unicast or broadcast, the DISCOVERs with option 53 first through the lane', () => {
    const outcome = run(16 * 1024);
    expect(outcome.lane).toBeGreaterThanOrEqual(2 * 16 * 1024); // SO_RCVBUF reads back twice what was asked
    expect(sorted(outcome.single)).toEqual(EVERY_ONE_ONCE);
    expect(outcome.laneAfterSingle).toBe(2); // the DISCOVER xid 1, unicast and broadcast
    expect(outcome.dropsAfterSingle).toEqual([0, 0]); // no queue overflowed: the counts say so
  });

  it('keeps the REQUESTs behind an overflowing burst of DISCOVERs, and reads them first', () => {
    const { flood, laneDrops, laneReceived } = run(16 * 1024);
    expect(flood.requests).toEqual(Array.from({ length: 20 }, (_, i) => 200_000 + i));
    expect(flood.firstDiscoverAt).toBe(20);
    expect(laneDrops).toBeGreaterThan(3000); // of 3,500 into room for a few dozen
    expect(flood.discovers).toBe(3501 - laneDrops); // and the one after
    expect(laneReceived).toBe(2 + flood.discovers);
  });

  it('without it, one queue: the same burst pushes the REQUESTs out, and broadcasts still arrive once', () => {
    const outcome = run(0);
    expect(outcome.lane).toBe(0);
    expect(sorted(outcome.single)).toEqual(EVERY_ONE_ONCE);
    expect(outcome.flood.requests).toEqual([]);
    expect(outcome.laneReceived).toBe(0);
  });
});
