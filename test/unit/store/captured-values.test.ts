// The values a store keeps for its next checkpoint (captured-values.ts): the latest per address, bounded, and only
// those of batches that landed; and a checkpoint of a store that kept them reads none of them back from LevelDB.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CapturedValues, DELETED, StagedValues } from '../../../src/store/captured-values.js';
import { openLevelStore } from '../../../src/store/open.js';
import { readDeltaChain } from '../../../src/store/snapshot-delta.js';
import { forEachChange } from './snapshot-fixtures.js';
import { readSnapshot } from '../../../src/store/snapshot-file.js';
import { injectBatchFault, makeRecord, makeTempDir, put, testIp } from './helpers.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('captured values', () => {
  it('keep the latest value per address, and deletes', () => {
    const captured = new CapturedValues();
    captured.note(0xc6120001, bytes(1, 2, 3));
    captured.note(0xc6120002, bytes(9));
    captured.note(0xc6120001, bytes(4, 5));
    captured.note(0xc6120002, undefined);
    expect(captured.valueOf(0xc6120001)).toEqual(bytes(4, 5));
    expect(captured.valueOf(0xc6120002)).toBe(DELETED);
    expect(captured.valueOf(0xc6120003)).toBeUndefined();
  });

  it('past their limit keep nothing more, and forget an address written again (it is read back instead)', () => {
    const captured = new CapturedValues(8);
    captured.note(1, bytes(1, 1, 1, 1, 1));
    captured.note(2, bytes(2, 2, 2));
    captured.note(3, bytes(3, 3));
    captured.note(1, bytes(7, 7));
    captured.note(4, undefined);
    expect(captured.valueOf(1)).toBeUndefined();
    expect(captured.valueOf(2)).toEqual(bytes(2, 2, 2));
    expect(captured.valueOf(3)).toBeUndefined();
    expect(captured.valueOf(4)).toBe(DELETED);
  });

  it('staged for a batch: handed on in order once it landed, dropped when it failed', () => {
    const staged = new StagedValues();
    const value = new Uint8Array(3);
    value.set([1, 2, 3]);
    staged.add(1, value);
    value.set([9, 9, 9]); // the caller's buffer is reused for the next write: the stage copied it
    staged.add(2, undefined);
    const seen: [number, number[] | undefined][] = [];
    staged.drain((ip, v) => seen.push([ip, v === undefined ? undefined : [...v]]));
    expect(seen).toEqual([[1, [1, 2, 3]], [2, undefined]]);
    staged.add(3, bytes(3));
    staged.clear();
    staged.drain(() => expect.unreachable());
  });
});

describe('a checkpoint with captured values (real LevelDB)', () => {
  it('reads none of them back, and never holds a value of a batch that failed', { timeout: 30_000 }, async () => {
    const temp = await makeTempDir('dhcpd-captured-');
    const path = join(temp.dir, 'lease-snapshot.bin');
    try {
      const first = await openLevelStore(temp.dir, { snapshotPath: path });
      await first.write([put(makeRecord(testIp(0), 'hw:1:first-0'))]);
      await first.close();

      const checkpoints: string[] = [];
      const logger = { info: (obj: { evt?: string; kind?: string }) => void (obj.evt === 'store.checkpoint.written' && checkpoints.push(obj.kind!)), warn: () => {}, error: () => {} };
      const policy = { addresses: 1000, intervalMs: 0, deltaShare: 1 };
      const store = await openLevelStore(temp.dir, { snapshotPath: path, checkpoint: policy, logger });
      expect((await store.loadSnapshot()).ok).toBe(true);
      // Count what the checkpoint reads back from LevelDB.
      const leases = Reflect.get(store, 'leases') as { getMany: (keys: string[]) => Promise<unknown[]> };
      const getMany = leases.getMany.bind(leases);
      let read = 0;
      leases.getMany = (keys) => ((read += keys.length), getMany(keys));
      // 1,000 addresses journalled, address 0 among them; the next commit starts a checkpoint, and that batch (which
      // rewrites address 0) fails.
      for (let i = 0; i < 1000; i += 100) {
        await store.write(Array.from({ length: 100 }, (_, n) => put(makeRecord(testIp(i + n), `hw:1:second-${i + n}`))));
      }
      let failNext = true;
      injectBatchFault(Reflect.get(store, 'db'), () => (failNext ? ((failNext = false), new Error('disk full')) : undefined));
      await expect(store.write([put(makeRecord(testIp(0), 'hw:1:failed'))])).rejects.toThrow();
      await Reflect.get(store, 'checkpointing');
      const snapshot = readSnapshot(path);
      const [section] = readDeltaChain(`${path}.delta`, snapshot.storeId, snapshot).sections;
      expect(section).toBeDefined();
      const keys = new Map<number, string | undefined>();
      forEachChange(section!.changes, (ip, decoded) => keys.set(ip, decoded?.record.context.clientKey) !== undefined);
      expect(keys.size).toBe(1000);
      expect(keys.get(section!.changes.ips[0]!)).toBe('hw:1:second-0');
      expect([...keys.values()].filter((key) => key === 'hw:1:failed')).toEqual([]);
      expect(read).toBe(0);
      await store.close();
    } finally {
      await temp.remove();
    }
  });
});
