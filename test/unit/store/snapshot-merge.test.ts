// A merge (snapshot-merge.ts) writes the snapshot with its delta sections up to the journal's base and the changes
// since: also when a section past that base is in the file (a checkpoint that failed once its section was complete,
// so the journal did not move on), which it leaves out; and never from a base the files do not lead to.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { PackedLeases } from '../../../src/lease-columns/packed-leases.js';
import { appendDeltaSection } from '../../../src/store/snapshot-delta.js';
import { readSnapshot } from '../../../src/store/snapshot-file.js';
import { mergeSnapshot, type MergeTarget } from '../../../src/store/snapshot-merge.js';
import { makeRecord, makeTempDir, testIp } from './helpers.js';
import { BASE, changesOf, S1, S2, snapshotOf, STORE } from './snapshot-fixtures.js';

const FILE = 'lease-snapshot.bin';
const S3 = { seq: 15, fingerprint: 'MANIFEST-000004\n' };

/** The merged snapshot's leases by address. */
function leasesOf(path: string): Map<string, LeaseRecord> {
  const snapshot = readSnapshot(path);
  return new Map([...PackedLeases.fromColumns(snapshot.columns).records()].map((record) => [record.context.ip, record]));
}

describe('a merge of the snapshot, its delta sections and the changes since', () => {
  it('leaves out a section past the journal\'s base: the changes since that base hold its addresses', async () => {
    const temp = await makeTempDir('dhcpd-merge-');
    try {
      const path = join(temp.dir, FILE);
      await snapshotOf(path, 20);
      const first = makeRecord(testIp(1), 'hw:1:first', { state: 'renewing' });
      const failed = makeRecord(testIp(2), 'hw:1:from-the-failed-section');
      const now = makeRecord(testIp(2), 'hw:1:as-now');
      const later = makeRecord(testIp(3), 'hw:1:later');
      const length = await appendDeltaSection(`${path}.delta`, STORE, { from: BASE, at: S1, changes: changesOf([first]) }, undefined);
      // The checkpoint to S2 wrote its section whole, then failed: its journal (base S1) went on.
      await appendDeltaSection(`${path}.delta`, STORE, { from: S1, at: S2, changes: changesOf([failed], [testIp(4)]) }, length);
      const target: MergeTarget = { path, deltaPath: `${path}.delta`, storeId: STORE, seq: S3.seq, fingerprint: S3.fingerprint, base: S1 };
      // The journal since S1 names 2 and 4 (written before the failed checkpoint) and 3 (after it).
      expect(await mergeSnapshot(target, changesOf([now, later], [testIp(4)]))).toBe('written');
      const merged = readSnapshot(path);
      expect({ seq: merged.seq, fingerprint: merged.fingerprint }).toEqual(S3);
      const leases = leasesOf(path);
      expect(leases.get(testIp(1))).toEqual(first);
      expect(leases.get(testIp(2))).toEqual(now);
      expect(leases.get(testIp(3))).toEqual(later);
      expect(leases.has(testIp(4))).toBe(false);
      expect(leases.size).toBe(20 - 1);
      expect(existsSync(`${path}.delta`)).toBe(true); // the store discards it once the merge is in place
    } finally {
      await temp.remove();
    }
  });

  it('merges from the snapshot itself or the last section, and refuses a base the files do not lead to', async () => {
    const temp = await makeTempDir('dhcpd-merge-');
    try {
      const path = join(temp.dir, FILE);
      const target = (base: typeof BASE): MergeTarget => ({ path, deltaPath: `${path}.delta`, storeId: STORE, seq: S3.seq, fingerprint: S3.fingerprint, base });
      await snapshotOf(path, 5);
      expect(await mergeSnapshot(target(S1), changesOf([]))).toBe('no-base');
      expect(await mergeSnapshot(target(BASE), changesOf([makeRecord(testIp(9), 'hw:1:nine')]))).toBe('written');
      expect(leasesOf(path).size).toBe(6);
      // Now at S3, with one section from there to S1 (an identity reused only for the test).
      await appendDeltaSection(`${path}.delta`, STORE, { from: S3, at: S1, changes: changesOf([], [testIp(0)]) }, undefined);
      expect(await mergeSnapshot(target(S2), changesOf([]))).toBe('no-base');
      expect(await mergeSnapshot({ ...target(S1), seq: 20 }, changesOf([]))).toBe('written');
      expect(leasesOf(path).has(testIp(0))).toBe(false);
    } finally {
      await temp.remove();
    }
  });
});
