// Replies to retransmissions: a client that did not hear our reply sends the very same request again (same xid,
// same content; only `secs` may have grown). Such a request gets the bytes already sent, without a new decision or
// a new write. One entry per client (its last reply), bounded in count, expiring after a short time and forgotten
// as soon as the client sends anything else or one of its leases is freed or taken.
import type { Clock } from '../clock.js';
import { exactCopy } from '../codec/own-buffer.js';
import { MessageType } from '../codec/types.js';
import type { Outbound } from '../net/types.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';
import { KeySlotIndex } from '../collections/key-slot-index.js';
import { clientHash } from '../lease-columns/client-hash.js';

export interface ResponseCacheLimits {
  readonly maxEntries: number;
  readonly ttlMs: number;
}

/** Clients retransmit after 4 s (±1 s, RFC 2131 §4.1), then 8 s: one retransmission is caught, a later one is
 * decided afresh. An entry costs its request's and reply's bytes in a shared ring (below) and ~0.1 KB of
 * bookkeeping: ~0.9 KB for a typical DORA, so a full cache ~15 MB; expired entries are dropped as new ones come. */
export const DEFAULT_CACHE_LIMITS: ResponseCacheLimits = { maxEntries: 16_384, ttlMs: 10_000 };

/**
 * Entries' bytes are copied into one ring of bytes, written and freed in the order the entries are made and leave
 * (the slots' order), rather than kept as two buffers each (an ArrayBuffer, a malloc'd backing store and V8's tracking
 * of it per buffer) or in 64 KiB slabs made every ~100 entries and left to the GC: the same memory, touched once, is
 * reused. The ring starts at RING_BYTES and grows while the live entries need it, up to MAX_RING_BYTES; there the
 * oldest entries go early.
 */
const RING_BYTES = 256 * 1024;
const MAX_RING_BYTES = 32 * 1024 * 1024;
/** A request and reply larger than this (no real client's) are not kept: decided afresh if retransmitted. */
const MAX_ENTRY_BYTES = 16 * 1024;

export interface ResponseCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly maxEntries: number;
  readonly ttlMs: number;
}

/** Requests whose reply depends only on the lease state they leave behind. */
const CACHEABLE = new Uint8Array(256);
for (const type of [MessageType.DISCOVER, MessageType.REQUEST, MessageType.INFORM]) CACHEABLE[type] = 1;
/** A byte read instead of a Set probe: asked two or three times per request. */
const cacheable = (type: MessageType): boolean => CACHEABLE[type & 255] === 1;
/** Bytes 8-9 of the BOOTP header: seconds since the client began, which a retransmission may advance. */
const SECS = 8;
/** Bytes 4-7: the transaction id. */
const XID = 4;

function sameXid(data: Uint8Array, ring: Uint8Array, at: number): boolean {
  return data[XID] === ring[at + XID] && data[XID + 1] === ring[at + XID + 1] && data[XID + 2] === ring[at + XID + 2]
    && data[XID + 3] === ring[at + XID + 3];
}

/** Slots at the least (a cache of a few entries still takes a burst of clients' retransmissions). */
const MIN_SLOTS = 256;

/**
 * One client's last reply per live entry, kept in a ring of slots in the order they were made (each lives ttlMs:
 * the expired ones are at the tail), their fields in typed arrays and arrays made at their full size once: no object
 * per entry for the old generation to hold for ttlMs and the major GC to trace, and nothing reallocated as entries
 * come and go. `index` maps a hash of the client's key to its newest slot (two clients of one hash count as one: the
 * newer one's entry replaces the older's, and a hit still needs the very request bytes). A request that does not
 * match (nearly every one: a retransmission is rare) only marks its client's slot dead. The ring has twice
 * maxEntries slots (a power of two): when they are all in use, the oldest goes, live or not.
 */
export class ResponseCache {
  /** The oldest slot; `used` slots from it on (modulo the capacity, a power of two) are in the ring. */
  private tail = 0;
  private used = 0;
  /** Entries that can be answered: the client's newest slot, not dead. */
  private live = 0;
  /** Their bytes: the ring grows while they fill more than half of it. */
  private liveBytes = 0;
  private capacity = 0;
  private readonly index = new KeySlotIndex<number>();
  private hashes = new Int32Array(0);
  private fromAddresses: (string | undefined)[] = [];
  private ifaces: (string | undefined)[] = [];
  private toAddresses: (string | undefined)[] = [];
  private hwAddresses: (string | undefined)[] = [];
  private ifaceNames: (string | undefined)[] = [];
  private sources: (string | undefined)[] = [];
  private at = new Int32Array(0);
  private requestLengths = new Int32Array(0);
  private replyLengths = new Int32Array(0);
  private fromPorts = new Int32Array(0);
  private toPorts = new Int32Array(0);
  private types = new Uint8Array(0);
  /** 1: forgotten (the client sent something else, a lease changed, or it was replaced). */
  private dead = new Uint8Array(0);
  /** 1: `index` maps this slot's hash to it (the client's newest slot), so leaving the ring it leaves the index too. */
  private current = new Uint8Array(0);
  private expiresAt = new Float64Array(0);
  /** Each entry's request bytes at `at`, its reply's right after them; `byteHead` is where the next goes. */
  private ring = Buffer.allocUnsafeSlow(RING_BYTES);
  private byteHead = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly clock: Clock, private readonly limits: () => ResponseCacheLimits) {}

  /** The reply already sent for this very request, or undefined (then the client's older entry is forgotten). */
  lookup(routed: RoutedRequest): { readonly reply: Outbound; readonly type: MessageType } | undefined {
    const slot = this.index.get(clientHash(0, routed.clientKey));
    if (slot >= 0 && this.dead[slot] === 0) {
      if (cacheable(routed.request.type) && this.matches(slot, routed)) {
        this.hits++;
        return this.replyIn(slot);
      }
      this.kill(slot);
    }
    if (cacheable(routed.request.type)) this.misses++;
    return undefined;
  }

  /** Keeps the reply just sent for this request. */
  remember(routed: RoutedRequest, reply: Outbound, type: MessageType): void {
    const { maxEntries, ttlMs } = this.limits();
    if (!cacheable(routed.request.type) || maxEntries <= 0) return;
    const request = routed.inbound.data;
    const { data } = reply;
    const length = request.length + data.length;
    if (length > MAX_ENTRY_BYTES) return;
    if (maxEntries * 2 > this.capacity) this.allocate(maxEntries);
    const now = this.clock.now();
    const hash = clientHash(0, routed.clientKey);
    const previous = this.index.get(hash);
    if (previous >= 0) {
      this.kill(previous);
      this.current[previous] = 0;
    }
    if (this.used === this.capacity) this.dropTail();
    this.makeByteRoom(length);
    const slot = (this.tail + this.used++) & (this.capacity - 1);
    this.at[slot] = this.copy(request, data);
    this.hashes[slot] = hash;
    this.requestLengths[slot] = request.length;
    this.replyLengths[slot] = data.length;
    this.fromAddresses[slot] = routed.inbound.from.address;
    this.fromPorts[slot] = routed.inbound.from.port;
    this.ifaces[slot] = routed.inbound.iface?.name;
    this.toAddresses[slot] = reply.to.address;
    this.toPorts[slot] = reply.to.port;
    this.hwAddresses[slot] = reply.hwAddress;
    this.ifaceNames[slot] = reply.ifaceName;
    this.sources[slot] = reply.source;
    this.types[slot] = type;
    this.dead[slot] = 0;
    this.current[slot] = 1;
    this.expiresAt[slot] = now + ttlMs;
    this.index.set(hash, slot);
    this.live++;
    this.liveBytes += length;
    this.evict(maxEntries, now);
  }

  /** The client's lease changed some other way (a timer, a release): its last reply may no longer hold. */
  forget(clientKey: string): void {
    const slot = this.index.get(clientHash(0, clientKey));
    if (slot >= 0) this.kill(slot);
  }

  /** A reload: replies built under the old config are not sent again. */
  clear(): void {
    while (this.used > 0) this.dropTail();
  }

  /** Slots in the ring (for tests: twice maxEntries, whatever the traffic). */
  get ringSlots(): number {
    return this.capacity;
  }

  /** Clients in the index (for tests: none outlives its slot, so never more than the ring's slots in use). */
  get indexedClients(): number {
    return this.index.size;
  }

  /** Bytes of the ring (for tests: it grows only while the live entries need it). */
  get ringBytes(): number {
    return this.ring.length;
  }

  stats(): ResponseCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.live, ...this.limits() };
  }

  /** Its own exact-size copy of the reply: what was sent, without handing out (or pinning) a view of the ring. */
  private replyIn(slot: number): { readonly reply: Outbound; readonly type: MessageType } {
    const start = this.at[slot]! + this.requestLengths[slot]!;
    const data = exactCopy(this.ring.subarray(start, start + this.replyLengths[slot]!));
    const reply: Outbound = {
      data, to: { address: this.toAddresses[slot]!, port: this.toPorts[slot]! },
      hwAddress: this.hwAddresses[slot], ifaceName: this.ifaceNames[slot], source: this.sources[slot],
    };
    return { reply, type: this.types[slot] as MessageType };
  }

  private kill(slot: number): void {
    if (this.dead[slot] === 1) return;
    this.dead[slot] = 1;
    this.live--;
    this.liveBytes -= this.requestLengths[slot]! + this.replyLengths[slot]!;
  }

  /** Drops expired entries and the oldest beyond maxEntries, and dead slots at the tail. */
  private evict(maxEntries: number, now: number): void {
    while (this.used > 0) {
      const slot = this.tail;
      if (this.dead[slot] === 0 && this.live <= maxEntries && this.expiresAt[slot]! > now) return;
      this.dropTail();
    }
  }

  /** Takes the oldest slot out of the ring (and its client out of the index, unless it has a newer slot). */
  private dropTail(): void {
    const slot = this.tail;
    this.tail = (slot + 1) & (this.capacity - 1);
    this.used--;
    // Known without a probe whether the index still points here (a newer slot of the client's took it over).
    if (this.current[slot] === 1) {
      this.index.delete(this.hashes[slot]!);
      this.current[slot] = 0;
    }
    // Its strings stay until the slot is reused: addresses and names shared by many entries, at most `capacity`.
    this.kill(slot);
  }

  /** Slots for twice maxEntries (a power of two), all made now; the entries held so far are forgotten. */
  private allocate(maxEntries: number): void {
    this.clear();
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(MIN_SLOTS, maxEntries * 2)));
    this.capacity = capacity;
    this.tail = 0;
    this.index.clear();
    this.hashes = new Int32Array(capacity);
    this.fromAddresses = new Array<string | undefined>(capacity).fill(undefined);
    this.ifaces = new Array<string | undefined>(capacity).fill(undefined);
    this.toAddresses = new Array<string | undefined>(capacity).fill(undefined);
    this.hwAddresses = new Array<string | undefined>(capacity).fill(undefined);
    this.ifaceNames = new Array<string | undefined>(capacity).fill(undefined);
    this.sources = new Array<string | undefined>(capacity).fill(undefined);
    this.at = new Int32Array(capacity);
    this.requestLengths = new Int32Array(capacity);
    this.replyLengths = new Int32Array(capacity);
    this.fromPorts = new Int32Array(capacity);
    this.toPorts = new Int32Array(capacity);
    this.types = new Uint8Array(capacity);
    this.dead = new Uint8Array(capacity);
    this.current = new Uint8Array(capacity);
    this.expiresAt = new Float64Array(capacity);
  }

  private matches(slot: number, routed: RoutedRequest): boolean {
    const { data, from, iface } = routed.inbound;
    const ring = this.ring;
    const at = this.at[slot]!;
    const requestLength = this.requestLengths[slot]!;
    // The xid first, in place: it tells apart nearly every request that is not a retransmission (a client's REQUEST
    // after its DISCOVER, often of the same length), before the clock is read or the bytes are compared natively.
    return data.length === requestLength && sameXid(data, ring, at)
      && from.address === this.fromAddresses[slot] && from.port === this.fromPorts[slot] && iface?.name === this.ifaces[slot]
      && data.compare(ring, at, at + SECS, 0, SECS) === 0 && data.compare(ring, at + SECS + 2, at + requestLength, SECS + 2) === 0
      && this.clock.now() < this.expiresAt[slot]!;
  }

  /** Copies the request's and the reply's bytes, one after the other, to `byteHead` (room made); returns where. */
  private copy(request: Uint8Array, reply: Uint8Array): number {
    const at = this.byteHead;
    this.ring.set(request, at);
    this.ring.set(reply, at + request.length);
    this.byteHead = at + request.length + reply.length;
    return at;
  }

  /**
   * Makes `length` bytes of room at `byteHead`: after the newest entry's bytes, or from the start when the end is
   * short; the oldest entries' bytes are freed as the ring passes over them, or the ring grows while the live
   * entries fill more than half of it.
   */
  private makeByteRoom(length: number): void {
    for (;;) {
      if (this.used === 0) {
        this.byteHead = 0;
        if (length <= this.ring.length) return;
      } else {
        const oldest = this.at[this.tail]!;
        if (this.byteHead >= oldest) {
          if (this.ring.length - this.byteHead >= length) return;
          // The end is short: start over at 0, before the oldest (never up to it: equal offsets mean empty).
          if (oldest > length) {
            this.byteHead = 0;
            return;
          }
        } else if (oldest - this.byteHead > length) {
          return;
        }
      }
      const crowded = (this.liveBytes + length) * 2 > this.ring.length && this.ring.length < MAX_RING_BYTES;
      if (this.used > 0 && (this.dead[this.tail] === 1 || !crowded)) this.dropTail();
      else this.growRing();
    }
  }

  /** The entries' bytes copied, in order (dead ones' left out), to the start of a ring twice the size. */
  private growRing(): void {
    const old = this.ring;
    const ring = Buffer.allocUnsafeSlow(Math.min(old.length * 2, MAX_RING_BYTES));
    let at = 0;
    for (let i = 0; i < this.used; i++) {
      const slot = (this.tail + i) & (this.capacity - 1);
      const from = this.at[slot]!;
      this.at[slot] = at;
      if (this.dead[slot] === 1) continue;
      const length = this.requestLengths[slot]! + this.replyLengths[slot]!;
      old.copy(ring, at, from, from + length);
      at += length;
    }
    this.ring = ring;
    this.byteHead = at;
  }
}
