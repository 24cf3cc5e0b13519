// Damaged LevelDB files: open (or a later read) names the repair command, and repairStore makes the store usable.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { openLevelStore } from '../../../src/store/open.js';
import { repairStore } from '../../../src/store/repair.js';
import { collect, makeRecord, makeTempDir, put, settle, testIp, clientLease } from './helpers.js';

const LEASES = 40;

async function fillStore(dir: string): Promise<void> {
  const store = await openLevelStore(dir);
  await store.write(Array.from({ length: LEASES }, (_, i) => put(makeRecord(testIp(i), `c${i}`))));
  await store.close();
}

function fileEndingWith(dir: string, suffix: string): string {
  const name = readdirSync(dir).find((f) => f.endsWith(suffix) || f.startsWith(suffix));
  if (name === undefined) throw new Error(`no ${suffix} file in ${dir}: ${readdirSync(dir).join(' ')}`);
  return join(dir, name);
}

async function expectRepairHint(dir: string, codes: readonly string[]): Promise<void> {
  const outcome = await settle(openLevelStore(dir));
  expect(outcome.ok).toBe(false);
  const error = outcome.ok ? undefined : outcome.error;
  expect(error).toBeInstanceOf(StoreError);
  expect(codes).toContain((error as StoreError).code);
  expect((error as StoreError).message).toContain(`npx actor-dhcpd repair-store ${dir}`);
}

async function expectRepaired(dir: string): Promise<void> {
  const report = await repairStore(dir);
  expect(report).toEqual({ location: dir, leases: LEASES, corruptRecords: 0 });
  const store = await openLevelStore(dir);
  try {
    expect(await collect(store.loadAll())).toHaveLength(LEASES);
    expect((await clientLease(store, 1, 'c7'))?.context.ip).toBe(testIp(7));
  } finally {
    await store.close();
  }
}

describe('a damaged store', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
    await fillStore(temp.dir);
  });
  afterEach(async () => temp.remove());

  it('with a garbage CURRENT file fails to open with DHCPD_ERR_STORE_CORRUPT, and repairs', async () => {
    writeFileSync(join(temp.dir, 'CURRENT'), 'garbage');
    await expectRepairHint(temp.dir, ['DHCPD_ERR_STORE_CORRUPT']);
    await expectRepaired(temp.dir);
  });

  it('with an overwritten MANIFEST fails to open with the repair hint, and repairs', async () => {
    writeFileSync(fileEndingWith(temp.dir, 'MANIFEST-'), Buffer.alloc(64, 0xff));
    await expectRepairHint(temp.dir, ['DHCPD_ERR_STORE_CORRUPT', 'DHCPD_ERR_STORE_OPEN']);
    await expectRepaired(temp.dir);
  });

  it('with a damaged table file reports DHCPD_ERR_STORE_CORRUPT from loadAll, and repair keeps what is intact', async () => {
    const db = new Level<string, string>(temp.dir);
    // Level's types omit ClassicLevel's compactRange; it moves the log into a .ldb table file.
    await (db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange('\x00', '\xff');
    await db.close();
    const table = fileEndingWith(temp.dir, '.ldb');
    const bytes = readFileSync(table);
    for (let i = 64; i < bytes.length - 64; i += 11) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
    writeFileSync(table, bytes);

    const store = await openLevelStore(temp.dir);
    const loaded = await settle(collect(store.loadAll()));
    await store.close();
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? undefined : loaded.error).toMatchObject({
      code: 'DHCPD_ERR_STORE_CORRUPT',
      message: expect.stringContaining('repair-store'),
    });
    const report = await repairStore(temp.dir);
    expect(report.leases).toBeLessThan(LEASES); // the damaged block is gone, and the store opens and loads again
    const repaired = await openLevelStore(temp.dir);
    expect(await collect(repaired.loadAll())).toHaveLength(report.leases);
    await repaired.close();
  });
});

describe('repairStore', () => {
  it('refuses a directory that holds no store', async () => {
    const temp = await makeTempDir();
    try {
      await expect(repairStore(join(temp.dir, 'missing'))).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_OPEN' });
    } finally {
      await temp.remove();
    }
  });
});
