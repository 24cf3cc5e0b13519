// What the thread that reads a snapshot works out of it (checked-columns.ts), run here in-thread: its columns
// checked, and for a start the delta file's sections applied, giving the very leases and history ranges the store
// gets applying them itself; a section that does not pack is an error (the file's columns were changed in place),
// and the store then reads the file itself.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { columnsOf } from '../../../src/lease-columns/columns-image.js';
import { PackedLeases } from '../../../src/lease-columns/packed-leases.js';
import { checkFile } from '../../../src/store/checked-columns.js';
import { appendDeltaSection } from '../../../src/store/snapshot-delta.js';
import { readSnapshotAsync } from '../../../src/store/snapshot-file.js';
import { readWhole } from '../../../src/store/snapshot-prefetch.js';
import { SNAPSHOT_CHECKED_FROM } from '../../../src/store/snapshots.js';
import { makeRecord, makeTempDir, testIp } from './helpers.js';
import { BASE, changesOf, S1, S2, snapshotOf, STORE } from './snapshot-fixtures.js';

const FILE = 'lease-snapshot.bin';

/** The leases of a check's applied delta, and each one's range, by address. */
function appliedLeases(checked: ReturnType<typeof checkFile>): Map<string, { record: LeaseRecord; range: number[] }> {
  const delta = checked!.delta!;
  const columns = columnsOf(delta.columns);
  const table = PackedLeases.fromColumns(columns, checked);
  const out = new Map<string, { record: LeaseRecord; range: number[] }>();
  for (let i = 0; i < columns.count; i++) {
    const record = table.get(columns.ips[i]!)!;
    out.set(record.context.ip, { record, range: [delta.ranges[2 * i]!, delta.ranges[2 * i + 1]!] });
  }
  return out;
}

/** The body's CRC-32, as the reading thread computes it before the check. */
const crcOf = (bytes: Buffer): number => crc32(bytes.subarray(SNAPSHOT_CHECKED_FROM));

describe('a snapshot checked by its reading thread', () => {
  it('applies the delta file for a start: the leases and ranges the sections make, indexed as that state', async () => {
    const temp = await makeTempDir('dhcpd-checked-');
    try {
      const path = join(temp.dir, FILE);
      await snapshotOf(path, 50);
      const renewed = makeRecord(testIp(3), 'hw:1:02:00:00:00:3', { state: 'renewing' });
      const moved = makeRecord(testIp(4), 'hw:1:another-client');
      const added = makeRecord(testIp(60), 'hw:1:new');
      let length = await appendDeltaSection(`${path}.delta`, STORE, { from: BASE, at: S1, changes: changesOf([renewed, moved], [testIp(5)]) }, undefined);
      length = await appendDeltaSection(`${path}.delta`, STORE, { from: S1, at: S2, changes: changesOf([added], [testIp(6)]) }, length);

      const bytes = await readFile(path);
      const checked = checkFile(bytes, path, crcOf(bytes), true);
      expect(checked?.delta).toMatchObject({ at: S2, entries: 5, length, file: { storeId: STORE, ...BASE } });
      expect(checked?.indexes?.byClient.count).toBe(49);
      const leases = appliedLeases(checked);
      expect(leases.size).toBe(49);
      expect(leases.get(testIp(3))).toEqual({ record: renewed, range: [100, 101] });
      expect(leases.get(testIp(4))).toEqual({ record: moved, range: [101, 102] });
      expect(leases.get(testIp(60))).toEqual({ record: added, range: [100, 101] });
      expect(leases.has(testIp(5)) || leases.has(testIp(6))).toBe(false);
      expect(leases.get(testIp(7))!.range).toEqual([7, 8]);

      // Not for a start: the checks only, no delta; a file that does not parse: nothing (the store says why).
      // (Read again: applying the delta changed the bytes that start had.)
      const again = await readFile(path);
      const forMerge = checkFile(again, path, crcOf(again), false);
      expect(forMerge).toEqual({ slots: expect.anything() as unknown });
      expect(checkFile(again, path, crcOf(again) ^ 1, true)).toBeUndefined(); // a wrong checksum
    } finally {
      await temp.remove();
    }
  });

  it('throws when a delta section does not pack: the file\'s own columns were changed by then', async () => {
    const temp = await makeTempDir('dhcpd-checked-');
    try {
      const path = join(temp.dir, FILE);
      await snapshotOf(path, 10);
      const fits = makeRecord(testIp(1), 'hw:1:02:00:00:00:1', { state: 'renewing' });
      const base = makeRecord(testIp(2), 'hw:1:02:00:00:00:2');
      // Five timers: more than a packed lease holds.
      const tooMany = { ...base, timers: Array.from({ length: 5 }, (_, i) => ({ event: 'lease.renew', at: base.context.changedAt + i })) };
      await appendDeltaSection(`${path}.delta`, STORE, { from: BASE, at: S1, changes: changesOf([fits, tooMany]) }, undefined);
      const bytes = await readFile(path);
      const before = Buffer.from(bytes);
      expect(() => checkFile(bytes, path, crcOf(bytes), true)).toThrow(/does not pack/);
      // The lease that did pack went into the bytes given: they are no longer the file's.
      expect(bytes.equals(before)).toBe(false);
      // So the worker sends none back, and a load reads the file itself (its delta then found stale by the store).
      const read = readWhole(path, SNAPSHOT_CHECKED_FROM, { inThreadMaxBytes: 0, forStart: true });
      await expect(read).rejects.toThrow(/does not pack/);
      const snapshot = await readSnapshotAsync(path, { prefetched: read, forStart: true });
      expect(snapshot.checked).toBeUndefined();
      expect(snapshot.columns.count).toBe(10);
    } finally {
      await temp.remove();
    }
  });
});
