// Test helpers for the lease store: record builders, temp directories, and a batch fault injector.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LeaseRecord, LeaseState } from '../../../machines/lease.types.js';
import type { LevelDatabase } from '../../../src/store/level-store.js';
import type { LeaseWrite } from '../../../src/store/types.js';

export function makeRecord(
  ip: string,
  clientKey: string,
  overrides: { subnetId?: number; state?: LeaseState; hostname?: string } = {},
): LeaseRecord {
  const now = 1_700_000_000_000;
  return {
    state: overrides.state ?? 'bound',
    context: {
      ip,
      subnetId: overrides.subnetId ?? 1,
      clientKey,
      hwAddress: '02:00:00:00:00:01',
      ...(overrides.hostname === undefined ? {} : { hostname: overrides.hostname }),
      offerExpiresAt: now + 60_000,
      boundAt: now,
      renewAt: now + 1_800_000,
      rebindAt: now + 3_150_000,
      expiresAt: now + 3_600_000,
      graceUntil: 0,
      probationUntil: 0,
      changedAt: now,
    },
    timers: [{ event: 'lease.renew', at: now + 1_800_000 }],
  };
}

export const put = (record: LeaseRecord): Extract<LeaseWrite, { kind: 'put' }> => ({ kind: 'put', record });
export const del = (ip: string): LeaseWrite => ({ kind: 'delete', ip });

/** The i-th address of 198.18.0.0/15 (test range), i < 131072. */
export function testIp(i: number): string {
  return `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

export async function makeTempDir(prefix = 'dhcpd-store-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

type BatchFn = (operations: unknown[], options?: unknown) => Promise<void>;
type ChainedBatchFn = () => { _write: (options?: unknown) => Promise<void> };

/**
 * Makes the backend's batch writes throw whatever `fault()` returns (nothing = pass through), as a failing disk
 * would: both ends a batch can take, abstract-level's _batch (the public batch() with an array) and a chained
 * batch's _write (the store's raw path, and the public chained batch()). `fault()` is asked once per write.
 */
export function injectBatchFault(db: LevelDatabase, fault: () => Error | undefined): void {
  const target = db as unknown as { _batch: BatchFn; _chainedBatch: ChainedBatchFn };
  const original = target._batch.bind(db);
  target._batch = async (operations, options) => {
    const error = fault();
    if (error !== undefined) throw error;
    return original(operations, options);
  };
  const chained = target._chainedBatch.bind(db);
  target._chainedBatch = () => {
    const batch = chained();
    const write = batch._write.bind(batch);
    batch._write = async (options) => {
      const error = fault();
      if (error !== undefined) throw error;
      return write(options);
    };
    return batch;
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Settles a promise into a value, so a test can check a rejection without an unhandled one. */
export function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * The one stored lease of a client in a subnet (undefined: none), by a full scan: stores keep leases by address
 * only. More than one is a test failure.
 */
export async function clientLease(
  store: { loadAll(): AsyncIterable<LeaseRecord> },
  subnetId: number,
  clientKey: string,
): Promise<LeaseRecord | undefined> {
  const found: LeaseRecord[] = [];
  for await (const record of store.loadAll()) {
    if (record.context.subnetId === subnetId && record.context.clientKey === clientKey) found.push(record);
  }
  if (found.length > 1) throw new Error(`${subnetId}/${clientKey} holds ${found.length} stored leases`);
  return found[0];
}
