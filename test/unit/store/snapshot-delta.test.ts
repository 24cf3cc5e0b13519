// The snapshot's delta file on its own (snapshot-delta.ts): sections apply only as a chain from the snapshot they
// were written against; a torn or damaged section ends the chain, and the next append cuts a torn one off. And the
// policy that picks a delta section or a merge for a checkpoint.
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointKind, DEFAULT_CHECKPOINT } from '../../../src/store/checkpoint.js';
import { encodeLeaseValue } from '../../../src/store/lease-value.js';
import { packChanges, type Changes } from '../../../src/store/snapshot-changes.js';
import { appendDeltaSection, readDeltaChain, type SnapshotIdentity } from '../../../src/store/snapshot-delta.js';
import { makeRecord, makeTempDir, testIp } from './helpers.js';
import { forEachChange } from './snapshot-fixtures.js';

const STORE = 'store-1';
const BASE: SnapshotIdentity = { seq: 10, fingerprint: 'MANIFEST-000002\n' };
const S1: SnapshotIdentity = { seq: 25, fingerprint: 'MANIFEST-000004\n' };
const S2: SnapshotIdentity = { seq: 40, fingerprint: 'MANIFEST-000004\n' };
const S3: SnapshotIdentity = { seq: 52, fingerprint: 'MANIFEST-000004\n' };

const ipInt = (i: number): number => testIp(i).split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** Changes putting the leases `puts` (by test index) and deleting `deletes`. */
function changesOf(puts: number[], deletes: number[] = [], tag = ''): Changes {
  const indexes = [...puts, ...deletes];
  const values = indexes.map((i, n) => (n < puts.length ? encodeLeaseValue(makeRecord(testIp(i), `hw:1:${tag}${i}`), { first: i, next: i + 1 }) : undefined));
  return packChanges(Uint32Array.from(indexes.map(ipInt)), values);
}

/** Each change as [address, client key or null], in order. */
function listed(changes: Changes): [string, string | null][] {
  const out: [string, string | null][] = [];
  forEachChange(changes, (_ip, decoded) => {
    out.push([decoded?.record.context.ip ?? '-', decoded?.record.context.clientKey ?? null]);
    return true;
  });
  return out;
}

describe('snapshot delta file', () => {
  it('holds each section as written, applied as a chain from the snapshot it follows', async () => {
    const temp = await makeTempDir('dhcpd-delta-');
    try {
      const path = join(temp.dir, 'lease-snapshot.bin.delta');
      const first = changesOf([1, 2], [3]);
      const second = changesOf([2, 4], [], 'b');
      let length = await appendDeltaSection(path, STORE, { from: BASE, at: S1, changes: first }, undefined);
      length = await appendDeltaSection(path, STORE, { from: S1, at: S2, changes: second }, length);
      expect(length).toBe((await stat(path)).size);

      const chain = readDeltaChain(path, STORE, BASE);
      expect(chain).toMatchObject({ at: S2, entries: 5, length });
      expect(chain.sections.map((s) => [s.from, s.at])).toEqual([[BASE, S1], [S1, S2]]);
      expect(listed(chain.sections[0]!.changes)).toEqual([[testIp(1), 'hw:1:1'], [testIp(2), 'hw:1:2'], ['-', null]]);
      expect(listed(chain.sections[1]!.changes)).toEqual([[testIp(2), 'hw:1:b2'], [testIp(4), 'hw:1:b4']]);
      expect(chain.sections[0]!.changes.ips[2]).toBe(ipInt(3));

      // Written against another snapshot (or for another store): none of it applies.
      expect(readDeltaChain(path, STORE, S1)).toMatchObject({ sections: [], at: S1, entries: 0, length: undefined });
      expect(readDeltaChain(path, 'store-2', BASE)).toMatchObject({ sections: [], at: BASE });
      // A section that starts the file anew replaces the old chain.
      const fresh = await appendDeltaSection(path, STORE, { from: S2, at: S3, changes: changesOf([9]) }, undefined);
      expect(readDeltaChain(path, STORE, BASE).sections).toEqual([]);
      expect(readDeltaChain(path, STORE, S2)).toMatchObject({ at: S3, entries: 1, length: fresh });
    } finally {
      await temp.remove();
    }
  });

  it('ends the chain at a torn or damaged section; the next append cuts a torn one off', async () => {
    const temp = await makeTempDir('dhcpd-delta-');
    try {
      const path = join(temp.dir, 'lease-snapshot.bin.delta');
      const afterFirst = await appendDeltaSection(path, STORE, { from: BASE, at: S1, changes: changesOf([1, 2]) }, undefined);
      const afterSecond = await appendDeltaSection(path, STORE, { from: S1, at: S2, changes: changesOf([3, 4]) }, afterFirst);
      const whole = await readFile(path);

      // Torn anywhere in the second section: the first still applies, and the chain ends where it does.
      for (const cut of [afterFirst + 3, afterFirst + 20, afterSecond - 1]) {
        await writeFile(path, whole.subarray(0, cut));
        expect(readDeltaChain(path, STORE, BASE), `cut at ${cut}`).toMatchObject({ at: S1, entries: 2, length: afterFirst });
      }
      // The next section goes where the chain ended, not after the torn bytes.
      const appended = await appendDeltaSection(path, STORE, { from: S1, at: S3, changes: changesOf([5]) }, afterFirst);
      expect(readDeltaChain(path, STORE, BASE)).toMatchObject({ at: S3, entries: 3, length: appended });

      // A flipped byte in a section, or in the file's header.
      for (const at of [afterFirst + 40, 30, 12]) {
        const flipped = Buffer.from(whole);
        flipped[at]! ^= 0x04;
        await writeFile(path, flipped);
        const chain = readDeltaChain(path, STORE, BASE);
        expect(chain.at, `flipped at ${at}`).toEqual(at > afterFirst ? S1 : BASE);
      }
      await truncate(path, 0);
      expect(readDeltaChain(path, STORE, BASE)).toMatchObject({ at: BASE, sections: [] });
      expect(readDeltaChain(join(temp.dir, 'missing'), STORE, BASE)).toMatchObject({ at: BASE, sections: [] });
    } finally {
      await temp.remove();
    }
  });
});

describe('checkpoint kind', () => {
  const policy = { ...DEFAULT_CHECKPOINT, deltaShare: 0.1 };
  it('writes delta sections while they and the journal name at most the share of the stored leases (or twice its addresses), then merges', () => {
    expect(checkpointKind(policy, { entries: 0, length: undefined }, 20_000, 1_000_000)).toEqual({ kind: 'delta', length: undefined });
    expect(checkpointKind(policy, { entries: 60_000, length: 9_000_000 }, 20_000, 1_000_000)).toEqual({ kind: 'delta', length: 9_000_000 });
    expect(checkpointKind(policy, { entries: 80_001, length: 9_000_000 }, 20_000, 1_000_000)).toEqual({ kind: 'merge' });
    // A small store's sections go up to twice the checkpoint's addresses.
    expect(checkpointKind(policy, { entries: 0, length: undefined }, 20_000, 10_000)).toEqual({ kind: 'delta', length: undefined });
    expect(checkpointKind(policy, { entries: 20_000, length: 3_000_000 }, 20_000, 10_000)).toEqual({ kind: 'delta', length: 3_000_000 });
    expect(checkpointKind(policy, { entries: 40_000, length: 6_000_000 }, 20_000, 10_000)).toEqual({ kind: 'merge' });
    expect(checkpointKind({ ...policy, deltaShare: 0 }, { entries: 0, length: undefined }, 1, 1_000_000)).toEqual({ kind: 'merge' });
  });
});
