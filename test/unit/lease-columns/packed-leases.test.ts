// The columns hold every record the lease machine makes, in every state, exactly (built back equal), and refuse
// what they cannot hold exactly; removed addresses are gone and their slots reused.
import { describe, expect, it } from 'vitest';
import type { LeaseEvent } from '../../../machines/lease.machine.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { startLease, stepLease } from '../../../src/leases/lease-runner.js';
import { clientHash } from '../../../src/lease-columns/client-hash.js';
import { KeyBlob } from '../../../src/lease-columns/key-column.js';
import { PackedLeases } from '../../../src/lease-columns/packed-leases.js';
import { HOLD_MS, PROBATION_MS, T0, TIMES } from '../machines/lease-fixtures.js';

const IP = '198.18.0.1';
const N = 0xc6120001;

function lifecycle(hostname?: string): LeaseRecord[] {
  const offered = startLease({ ip: IP, subnetId: 7, clientKey: 'hw:1:02:00:00:00:00:01', hwAddress: '02:00:00:00:00:01', now: T0, holdMs: HOLD_MS, ...(hostname === undefined ? {} : { hostname }) });
  const step = (record: LeaseRecord, event: LeaseEvent | { type: string }): LeaseRecord => stepLease(record, event)!;
  const bound = step(offered, { type: 'lease.commit', now: T0, ...TIMES });
  const renewing = step(bound, { type: bound.timers[0]!.event });
  const declined = step(bound, { type: 'lease.decline', now: T0, probationMs: PROBATION_MS });
  const released = step(bound, { type: 'lease.release', now: T0 });
  return [offered, bound, renewing, declined, released];
}

describe('PackedLeases', () => {
  it('packs the machine\'s records in every state and builds them back equal', () => {
    for (const record of [...lifecycle(), ...lifecycle('host-1')]) {
      const packed = new PackedLeases();
      expect(packed.pack(record)).toBe(true);
      expect(packed.get(N)).toEqual(record);
      expect(packed.timersOf(N)).toEqual(record.timers);
      for (const timer of record.timers) expect(packed.hasTimer(N, timer.event, timer.at)).toBe(true);
      expect(packed.hasTimer(N, 'xstate.after.none', 0)).toBe(false);
    }
  });

  it('keeps times that are no whole-ms offset within 24 days of changedAt exactly too', () => {
    const [, bound] = lifecycle();
    const odd: LeaseRecord[] = [
      { ...bound!, context: { ...bound!.context, expiresAt: bound!.context.changedAt + 60 * 86_400_000 } },
      { ...bound!, context: { ...bound!.context, renewAt: bound!.context.changedAt + 0.5 }, timers: [{ event: bound!.timers[0]!.event, at: 1.25 }] },
      { ...bound!, context: { ...bound!.context, graceUntil: Number.NaN, probationUntil: -0, changedAt: Number.POSITIVE_INFINITY } },
    ];
    const packed = new PackedLeases();
    for (const record of odd) {
      expect(packed.pack(record)).toBe(true);
      const built = packed.get(N)!;
      expect(built).toEqual(record);
      for (const key of Object.keys(record.context) as (keyof LeaseRecord['context'])[]) expect(Object.is(built.context[key], record.context[key])).toBe(true);
    }
    // And the next record of the address, an ordinary one, packs compactly again.
    packed.pack(bound!);
    expect(packed.get(N)).toEqual(bound);
  });

  it('refuses what it cannot hold exactly, and changes nothing then', () => {
    const [offered] = lifecycle();
    const packed = new PackedLeases();
    const refused: LeaseRecord[] = [
      { ...offered!, context: { ...offered!.context, extra: 1 } as LeaseRecord['context'] },
      { ...offered!, context: { ...offered!.context, subnetId: -1 } },
      { ...offered!, context: { ...offered!.context, ip: 'not an address' } },
      { ...offered!, timers: Array.from({ length: 5 }, (_, i) => ({ event: 'e', at: i })) },
      { ...offered!, state: 'unknown' as LeaseRecord['state'] },
      // A field the columns do not know, on the record or on a timer, as on the context above.
      { ...offered!, extra: 1 } as LeaseRecord,
      { ...offered!, timers: offered!.timers.map((t) => ({ ...t, extra: 1 })) },
    ];
    for (const record of refused) expect(packed.pack(record)).toBe(false);
    expect(packed.size).toBe(0);
  });

  it('replaces an address\'s record, deletes it, and reuses the slot', () => {
    const [offered, bound] = lifecycle();
    const packed = new PackedLeases();
    packed.pack(offered!);
    packed.pack(bound!);
    expect(packed.size).toBe(1);
    expect(packed.get(N)).toEqual(bound);
    packed.delete(N);
    expect(packed.has(N)).toBe(false);
    expect(packed.get(N)).toBeUndefined();
    packed.pack({ ...bound!, context: { ...bound!.context, ip: '198.18.0.2' } });
    const seen: [number, number, string][] = [];
    packed.forEach((ip, subnetId, state) => seen.push([ip, subnetId, state]));
    expect(seen).toEqual([[N + 1, 7, 'bound']]);
    expect([...packed.records()].map((r) => r.context.ip)).toEqual(['198.18.0.2']);
  });
});

describe('PackedLeases columns (the snapshot image)', () => {
  /** A table of the lifecycle's records at consecutive addresses, with odd times and a deleted lease in between. */
  function table(): { packed: PackedLeases; records: LeaseRecord[] } {
    const packed = new PackedLeases();
    const records = [...lifecycle(), ...lifecycle('host-1')].map((record, i) => ({
      ...record,
      context: { ...record.context, ip: `198.18.0.${i + 1}`, ...(i === 3 ? { changedAt: record.context.changedAt + 0.5 } : {}) },
    }));
    for (const record of records) expect(packed.pack(record)).toBe(true);
    packed.delete(N + 2);
    return { packed, records: records.filter((r) => r.context.ip !== '198.18.0.3') };
  }

  it('gives back a table that builds every lease back equal, and indexes each with its earliest timer', () => {
    const { packed, records } = table();
    const loaded = PackedLeases.fromColumns(packed.columns());
    expect(loaded.size).toBe(records.length);
    for (const record of records) expect(loaded.get(N - 1 + Number(record.context.ip.split('.')[3]))).toEqual(record);
    const earliest = new Map<number, number>();
    loaded.forEachIndexed((ip, _hash, _state, at) => earliest.set(ip, at));
    for (const record of records) {
      const want = record.timers.length === 0 ? Infinity : Math.min(...record.timers.map((t) => t.at));
      expect(earliest.get(N - 1 + Number(record.context.ip.split('.')[3]))).toBe(want);
    }
  });

  it('refuses columns a table cannot hold, naming the problem', () => {
    const { packed } = table();
    const twice = packed.columns();
    twice.ips[1] = twice.ips[0]!;
    expect(() => PackedLeases.fromColumns(twice)).toThrow(/twice/);
    const state = packed.columns();
    state.states[0] = 200;
    expect(() => PackedLeases.fromColumns(state)).toThrow(/state/);
    const timers = packed.columns();
    timers.timerCounts[0] = 9;
    expect(() => PackedLeases.fromColumns(timers)).toThrow(/timers/);
    const key = packed.columns();
    key.clientKeys.ends[0] = 0;
    expect(() => PackedLeases.fromColumns(key)).toThrow(/client key/);
    const short = packed.columns();
    expect(() => PackedLeases.fromColumns({ ...short, bases: short.bases.subarray(1) })).toThrow(/lengths/);
  });

  it('indexes a loaded table by the same client hash as the key strings give, ASCII or not, without building records', () => {
    const [, bound] = lifecycle();
    const keys = ['hw:1:02:00:00:00:00:01', 'id:ff:00', 'id:clé-ü', 'hw:1:\u{1F600}'];
    const packed = new PackedLeases();
    keys.forEach((clientKey, i) => packed.pack({ ...bound!, context: { ...bound!.context, ip: `198.18.0.${i + 1}`, clientKey, hwAddress: 'aa' } }));
    const loaded = PackedLeases.fromColumns(packed.columns());
    const hashes = new Map<number, number>();
    loaded.forEachIndexed((ip, hash) => hashes.set(ip, hash));
    keys.forEach((key, i) => expect(hashes.get(N + i)).toBe(clientHash(7, key)));
    keys.forEach((key, i) => expect(loaded.get(N + i)?.context.clientKey).toBe(key));
  });

  it('keeps a loaded table\'s keys right through repacks, deletes and reused slots, and exports them again', () => {
    const [offered, bound] = lifecycle();
    const at = (i: number, clientKey: string, record = bound!): LeaseRecord =>
      ({ ...record, context: { ...record.context, ip: `198.18.0.${i + 1}`, clientKey, hwAddress: clientKey.slice(-2) } });
    const packed = new PackedLeases();
    for (let i = 0; i < 5; i++) packed.pack(at(i, `hw:1:0${i}`));
    const loaded = PackedLeases.fromColumns(packed.columns());
    loaded.pack(at(1, 'id:new-owner', offered!));
    loaded.delete(N + 2);
    loaded.pack(at(7, 'hw:1:77'));
    const want = [at(0, 'hw:1:00'), at(1, 'id:new-owner', offered!), at(3, 'hw:1:03'), at(4, 'hw:1:04'), at(7, 'hw:1:77')];
    for (const record of want) expect(loaded.get(N - 1 + Number(record.context.ip.split('.')[3]))).toEqual(record);
    expect(loaded.has(N + 2)).toBe(false);
    const again = PackedLeases.fromColumns(loaded.columns());
    expect(again.size).toBe(want.length);
    for (const record of want) expect(again.get(N - 1 + Number(record.context.ip.split('.')[3]))).toEqual(record);
  });

  it('refuses a key section whose ends go back or past its bytes', () => {
    expect(() => new KeyBlob(new Uint8Array([104, 119]), new Uint32Array([1, 3])).check()).toThrow(/fill/);
    expect(() => new KeyBlob(new Uint8Array([104, 119]), new Uint32Array([2, 1])).check()).toThrow(/client key/);
    expect(() => new KeyBlob(new Uint8Array([104, 119]), new Uint32Array([1, 2])).check()).not.toThrow();
  });

  it('gives the same image as its columns, as views of its own arrays when its slots in use are 0..n-1', () => {
    const [, bound] = lifecycle();
    const packed = new PackedLeases();
    for (let i = 0; i < 6; i++) {
      packed.pack({ ...bound!, context: { ...bound!.context, ip: `198.18.0.${i + 1}`, ...(i === 2 ? { hostname: 'h', changedAt: 0.5 } : {}) } });
    }
    const rebuilt = (c: ReturnType<PackedLeases['columns']>): LeaseRecord[] => [...PackedLeases.fromColumns(c).records()];
    const view = packed.image();
    expect(view.ips.buffer).toBe((packed as unknown as { ips: Uint32Array }).ips.buffer);
    expect(rebuilt(view)).toEqual(rebuilt(packed.columns()));
    packed.delete(N + 1);
    const copied = packed.image();
    expect(copied.ips.buffer).not.toBe((packed as unknown as { ips: Uint32Array }).ips.buffer);
    expect(rebuilt(copied)).toEqual([...packed.records()]);
  });

  it('tells whether a loaded key is a given string, ASCII or not, without decoding the ASCII ones', () => {
    const keys = ['hw:1:02:00', 'id:clé', 'hw:1:\u{1F600}'];
    const packed = new PackedLeases();
    const [, bound] = lifecycle();
    keys.forEach((clientKey, i) => packed.pack({ ...bound!, context: { ...bound!.context, ip: `198.18.0.${i + 1}`, clientKey, hwAddress: 'aa' } }));
    const blob = packed.columns().clientKeys;
    keys.forEach((key, i) => {
      expect(blob.matches(i, key)).toBe(true);
      expect(blob.matches(i, `${key}x`)).toBe(false);
      expect(blob.matches(i, key.slice(0, -1) + 'z')).toBe(false);
    });
  });
});
