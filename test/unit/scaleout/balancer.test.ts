// RFC 3074 load balancing: the hash, the bucket split, take-over of a silent peer's buckets, and `secs`.
import { describe, expect, it } from 'vitest';
import { MessageType, type DhcpRequest } from '../../../src/codec/types.js';
import { LoadBalancer } from '../../../src/scaleout/balancer.js';
import { assignBuckets, BUCKETS, servingPeer } from '../../../src/scaleout/buckets.js';
import { hashKey, loadBalanceHash, MIXING_TABLE } from '../../../src/scaleout/rfc3074-hash.js';
import type { ScaleOutConfig } from '../../../src/config/types.js';
import type { PeerStatus } from '../../../src/store/shared.js';
import { clientMessage } from '../../helpers/test-client.js';

const config = (self: string, over: Partial<ScaleOutConfig> = {}): ScaleOutConfig => ({
  self, peers: ['a', 'b', 'c'], split: { a: 1, b: 1, c: 1 }, heartbeatMs: 1000, peerTimeoutMs: 5000, maxSecs: 10, ...over,
});
const mac = (i: number): string => `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const discover = (i: number, secs = 0): DhcpRequest => ({ ...clientMessage({ mac: mac(i) }, MessageType.DISCOVER), secs } as DhcpRequest);
const alive = (...names: string[]): () => PeerStatus => () => ({ alive: new Set(names), readAt: Date.now() });

describe('RFC 3074 §6 hash', () => {
  it('uses a mixing table that is a permutation of 0..255', () => {
    expect([...MIXING_TABLE].sort((x, y) => x - y)).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });

  it('hashes from the last byte to the first, starting from the length', () => {
    // By hand: len 1 -> T[1 ^ 0x00] = T[1] = 175; len 2 [0,0] -> T[2^0]=119, then T[119^0] = T[119].
    expect(loadBalanceHash(Uint8Array.from([0]))).toBe(175);
    expect(loadBalanceHash(Uint8Array.from([0, 0]))).toBe(MIXING_TABLE[119]);
    expect(loadBalanceHash(new Uint8Array(0))).toBe(0);
  });

  it('hashes the client identifier when present, else the hlen bytes of chaddr', () => {
    const chaddr = Buffer.from('0200000000010000000000000000000000', 'hex').subarray(0, 16);
    expect(hashKey(undefined, chaddr, 6)).toEqual(chaddr.subarray(0, 6));
    expect(hashKey(Buffer.from([1, 2, 3]), chaddr, 6)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('spreads clients roughly evenly over the buckets', () => {
    const counts = new Array<number>(BUCKETS).fill(0);
    for (let i = 0; i < 25_600; i++) counts[loadBalanceHash(Buffer.from(mac(i).split(':').map((h) => parseInt(h, 16))))]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(40);
    expect(Math.max(...counts)).toBeLessThan(200);
  });
});

describe('bucket split', () => {
  it('deals all 256 buckets out by weight, in name order', () => {
    const owners = assignBuckets(['c', 'a', 'b'], { a: 1, b: 1, c: 2 });
    expect(owners).toHaveLength(256);
    expect(owners.filter((o) => o === 'a')).toHaveLength(64);
    expect(owners.filter((o) => o === 'c')).toHaveLength(128);
    expect(owners[0]).toBe('a');
    expect(owners[255]).toBe('c');
    const thirds = assignBuckets(['a', 'b', 'c'], { a: 1, b: 1, c: 1 });
    expect(['a', 'b', 'c'].map((p) => thirds.filter((o) => o === p).length).sort()).toEqual([85, 85, 86]);
  });

  it('gives a dead owner buckets to the live servers, the same on every server', () => {
    const owners = assignBuckets(['a', 'b', 'c'], { a: 1, b: 1, c: 1 });
    const bBuckets = owners.map((o, i) => (o === 'b' ? i : -1)).filter((i) => i >= 0);
    const takers = bBuckets.map((bucket) => servingPeer(owners, bucket, new Set(['a', 'c'])));
    expect(new Set(takers)).toEqual(new Set(['a', 'c']));
    expect(servingPeer(owners, 0, new Set(['a', 'b', 'c']))).toBe(owners[0]);
    expect(servingPeer(owners, 0, new Set())).toBeUndefined();
  });
});

describe('LoadBalancer', () => {
  const servers = ['a', 'b', 'c'] as const;

  it('with every peer alive, exactly one server answers each client', () => {
    const balancers = servers.map((s) => new LoadBalancer(config(s), alive('a', 'b', 'c')));
    for (let i = 0; i < 500; i++) {
      expect(balancers.filter((b) => b.answersDiscover(discover(i)))).toHaveLength(1);
    }
  });

  it('when b is silent, a and c take its clients over, still one server per client', () => {
    const balancers = servers.filter((s) => s !== 'b').map((s) => new LoadBalancer(config(s), alive('a', 'c')));
    for (let i = 0; i < 500; i++) expect(balancers.filter((b) => b.answersDiscover(discover(i)))).toHaveLength(1);
    expect(balancers.some((b) => [...Array(500).keys()].some((i) => b.verdict(discover(i)) === 'taken-over'))).toBe(true);
  });

  it('answers no DISCOVER without a fresh heartbeat of its own (cut off from the database)', () => {
    const a = new LoadBalancer(config('a'), () => undefined);
    const verdicts = new Set([...Array(300).keys()].map((i) => a.verdict(discover(i, 60))));
    expect(verdicts).toEqual(new Set(['cut-off']));
  });

  it('answers any client whose secs reached maxSecs (load-balance-max-seconds); 0 turns that off', () => {
    const a = new LoadBalancer(config('a'), alive('a', 'b', 'c'));
    const foreign = [...Array(100).keys()].find((i) => a.verdict(discover(i)) === 'peer-bucket')!;
    expect(a.verdict(discover(foreign, 9))).toBe('peer-bucket');
    expect(a.verdict(discover(foreign, 10))).toBe('secs');
    const off = new LoadBalancer(config('a', { maxSecs: 0 }), alive('a', 'b', 'c'));
    expect(off.verdict(discover(foreign, 60_000))).toBe('peer-bucket');
  });
});
