// Shared fixtures for tests of the snapshot file and its delta file: a snapshot of plain leases, changes as a
// checkpoint writes them, and the states they follow one another in.
import { expect } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { PackedLeases } from '../../../src/lease-columns/packed-leases.js';
import { encodeLeaseValue } from '../../../src/store/lease-value.js';
import { decodeAt, packChanges, type Changes } from '../../../src/store/snapshot-changes.js';
import type { LeaseValue } from '../../../src/store/lease-value.js';
import type { SnapshotIdentity } from '../../../src/store/snapshot-delta.js';
import { writeSnapshot } from '../../../src/store/snapshot-file.js';
import { makeRecord, testIp } from './helpers.js';

export const STORE = 'store-1';
export const BASE: SnapshotIdentity = { seq: 7, fingerprint: 'MANIFEST-000002\n' };
export const S1: SnapshotIdentity = { seq: 9, fingerprint: 'MANIFEST-000004\n' };
export const S2: SnapshotIdentity = { seq: 12, fingerprint: 'MANIFEST-000004\n' };

export const ipInt = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;

/** A snapshot (state BASE of STORE) of `count` leases, lease i with the history range (i, i + 1). */
export async function snapshotOf(path: string, count: number): Promise<void> {
  const table = new PackedLeases();
  for (let i = 0; i < count; i++) expect(table.pack(makeRecord(testIp(i), `hw:1:02:00:00:00:${i}`))).toBe(true);
  const ranges = Float64Array.from({ length: 2 * count }, (_, n) => (n >> 1) + (n & 1));
  await writeSnapshot(path, { storeId: STORE, ...BASE, columns: table.image(), ranges });
}

/** Puts of the records (with the history range (100 + i, 101 + i) each) and deletes of the addresses. */
export function changesOf(records: readonly LeaseRecord[], deletes: readonly string[] = []): Changes {
  const values = [...records.map((record, i) => encodeLeaseValue(record, { first: 100 + i, next: 101 + i })), ...deletes.map(() => undefined)];
  return packChanges(Uint32Array.from([...records.map((r) => ipInt(r.context.ip)), ...deletes.map(ipInt)]), values);
}

/**
 * Each change in order, decoded (undefined: the address holds no lease now, as a scan would skip it). Stops at the
 * first for which `each` returns false, and returns false then.
 */
export function forEachChange(changes: Changes, each: (ip: number, decoded: LeaseValue | undefined) => boolean): boolean {
  for (let i = 0, at = 0; i < changes.ips.length; i++) {
    const ip = changes.ips[i]!;
    const length = changes.lengths[i]!;
    const decoded = decodeAt(ip, length < 0 ? undefined : changes.bytes.subarray(at, at + length));
    at += Math.max(length, 0);
    if (!each(ip, decoded)) return false;
  }
  return true;
}
