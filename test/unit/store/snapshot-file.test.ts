// The snapshot file on its own: every byte is covered by its checks (a flipped byte anywhere is never loaded), and a
// prefetched read (snapshot-prefetch.ts) is only an accelerator: the store checks it like a file it reads itself.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PackedLeases } from '../../../src/lease-columns/packed-leases.js';
import { openLevelStore } from '../../../src/store/open.js';
import { parseSnapshot, readSnapshot, readSnapshotAsync, SnapshotUnusable, writeSnapshot } from '../../../src/store/snapshot-file.js';
import { prefetchSnapshot, readWhole, takePrefetched } from '../../../src/store/snapshot-prefetch.js';
import { SNAPSHOT_CHECKED_FROM } from '../../../src/store/snapshots.js';
import { makeRecord, makeTempDir, put, testIp } from './helpers.js';

const FILE = 'lease-snapshot.bin';

/** A snapshot of `count` plain leases: whole-second times, so its exact-time sections are empty. */
async function plainSnapshot(path: string, count: number): Promise<void> {
  const table = new PackedLeases();
  for (let i = 0; i < count; i++) expect(table.pack(makeRecord(testIp(i), `hw:1:02:00:00:00:${i}`))).toBe(true);
  const columns = table.image();
  expect(columns.exact.size).toBe(0);
  await writeSnapshot(path, { storeId: 'store-1', seq: 7, fingerprint: 'MANIFEST-000002\n', columns, ranges: new Float64Array(2 * count) });
}

/** A store in `dir` holding one lease, closed: its snapshot written at `path`. */
async function storeOfOneLease(dir: string, path: string): Promise<void> {
  const store = await openLevelStore(dir, { snapshotPath: path });
  await store.write([put(makeRecord(testIp(1), 'hw:1:02:00:00:00:01'))]);
  await store.close();
}

describe('snapshot file', { timeout: 30_000 }, () => {
  it('reads back what it wrote, as views into the file read once', async () => {
    const temp = await makeTempDir('dhcpd-snapfile-');
    try {
      const path = join(temp.dir, FILE);
      await plainSnapshot(path, 20);
      const snapshot = readSnapshot(path);
      expect(snapshot).toMatchObject({ storeId: 'store-1', seq: 7, fingerprint: 'MANIFEST-000002\n' });
      expect(snapshot.columns.count).toBe(20);
      expect(PackedLeases.fromColumns(snapshot.columns).get(snapshot.columns.ips[3]!)?.context.ip).toBe(testIp(3));
      expect(snapshot.columns.ips.buffer).toBe(snapshot.columns.bases.buffer);
    } finally {
      await temp.remove();
    }
  });

  it('refuses a file with any one byte flipped, in every section, even ahead of an empty one', async () => {
    const temp = await makeTempDir('dhcpd-snapfile-');
    try {
      const path = join(temp.dir, FILE);
      await plainSnapshot(path, 12);
      const good = await readFile(path);
      const accepted: number[] = [];
      for (let at = 0; at < good.length; at++) {
        const bad = Buffer.from(good);
        bad[at]! ^= 0x01;
        try {
          parseSnapshot(bad, path);
          accepted.push(at);
        } catch (error) {
          expect(error).toBeInstanceOf(SnapshotUnusable);
        }
      }
      expect(accepted).toEqual([]);
    } finally {
      await temp.remove();
    }
  });

  it('read by the worker thread: the same snapshot, a flipped byte still refused, a missing file reported as missing', async () => {
    const temp = await makeTempDir('dhcpd-snapfile-');
    try {
      const path = join(temp.dir, FILE);
      await plainSnapshot(path, 30);
      expect(await readSnapshotAsync(path)).toEqual(readSnapshot(path));
      const bad = await readFile(path);
      bad[bad.length - 40]! ^= 0x01;
      await writeFile(path, bad);
      await expect(readSnapshotAsync(path)).rejects.toMatchObject({ reason: 'damaged' });
      await expect(readSnapshotAsync(join(temp.dir, 'none'))).rejects.toMatchObject({ reason: 'missing' });
    } finally {
      await temp.remove();
    }
  });

  it('a large file is read by a worker thread, a small one here: the same bytes and checksum either way', async () => {
    const temp = await makeTempDir('dhcpd-snapfile-');
    try {
      const path = join(temp.dir, FILE);
      await plainSnapshot(path, 200);
      const here = await readWhole(path, SNAPSHOT_CHECKED_FROM);
      const worker = await readWhole(path, SNAPSHOT_CHECKED_FROM, { inThreadMaxBytes: 0 }); // every file counts as large
      expect(worker.bytes.equals(here.bytes)).toBe(true);
      expect(worker.crc).toBe(here.crc);
      expect(here.crc).not.toBe(0);
      for (const read of [here, worker]) expect(read.bytes.byteOffset).toBe(0); // sections are viewed in place
      await expect(readWhole(join(temp.dir, 'none'), SNAPSHOT_CHECKED_FROM)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await temp.remove();
    }
  });

  it('a prefetched read is checked like any: a file read before a later commit is stale, never loaded', async () => {
    const temp = await makeTempDir('dhcpd-snapfile-');
    try {
      const path = join(temp.dir, FILE);
      await storeOfOneLease(temp.dir, path);
      await prefetchSnapshot(path, SNAPSHOT_CHECKED_FROM); // the content as of that close
      const second = await openLevelStore(temp.dir); // no snapshot path: writes none at its close
      await second.write([put(makeRecord(testIp(2), 'hw:1:02:00:00:00:02'))]);
      await second.close();
      const third = await openLevelStore(temp.dir, { snapshotPath: path });
      expect(await third.loadSnapshot()).toMatchObject({ ok: false, reason: 'stale' });
      await third.close();
      expect(takePrefetched(path)).toBeUndefined(); // taken by that load
    } finally {
      await temp.remove();
    }
  });

  it('a load uses the prefetched content when there is one (the file on disk is not read again)', async () => {
    const temp = await makeTempDir('dhcpd-snapfile-');
    try {
      const path = join(temp.dir, FILE);
      await storeOfOneLease(temp.dir, path);
      await prefetchSnapshot(path, SNAPSHOT_CHECKED_FROM);
      await writeFile(path, 'replaced after the prefetch');
      const store = await openLevelStore(temp.dir, { snapshotPath: path });
      const loaded = await store.loadSnapshot();
      expect(loaded.ok).toBe(true);
      expect(loaded.ok && loaded.leases.size).toBe(1);
      await store.close();
    } finally {
      await temp.remove();
    }
  });
});
