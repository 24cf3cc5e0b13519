// Replies to retransmissions: a client that did not hear our reply sends the very same request again (same xid,
// same content; only `secs` may have grown). Such a request gets the bytes already sent, without a new decision or
// a new write. One entry per client (its last reply), bounded in count, expiring after a short time and forgotten
// as soon as the client sends anything else or one of its leases is freed or taken.
import type { Clock } from '../clock.js';
import { exactCopy } from '../codec/own-buffer.js';
import { TimeOrderedKeys } from '../collections/time-ordered-keys.js';
import { MessageType } from '../codec/types.js';
import type { Outbound } from '../net/types.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';

export interface ResponseCacheLimits {
  readonly maxEntries: number;
  readonly ttlMs: number;
}

/** Clients retransmit after 4 s (±1 s, RFC 2131 §4.1), then 8 s: one retransmission is caught, a later one is
 * decided afresh. An entry costs its request's and reply's bytes in a shared slab (below) and ~0.3 KB of
 * bookkeeping: ~0.9 KB for a typical DORA, so a full cache ~15 MB; expired entries are dropped as new ones come. */
export const DEFAULT_CACHE_LIMITS: ResponseCacheLimits = { maxEntries: 16_384, ttlMs: 10_000 };

/**
 * Entries' bytes are copied into shared slabs of this size rather than kept as two buffers each: a buffer of its own
 * costs its ArrayBuffer, a malloc'd backing store and V8's tracking of it (~0.3 KB each beyond the bytes), which a
 * flood of one-time clients filling the cache multiplied. Entries are made and leave in time order, so a slab is
 * released once the entries of its 64 KiB (~100 of them) have left `order`.
 */
const SLAB_BYTES = 64 * 1024;

export interface ResponseCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly maxEntries: number;
  readonly ttlMs: number;
}

interface Entry {
  readonly key: string;
  /** The request's bytes at `at`, the reply's right after them. */
  readonly slab: Buffer;
  readonly at: number;
  readonly requestLength: number;
  readonly replyLength: number;
  readonly fromAddress: string;
  readonly fromPort: number;
  readonly iface: string | undefined;
  /** The reply's route: the Outbound's fields but its bytes, kept flat (no object of their own per entry). */
  readonly to: Outbound['to'];
  readonly hwAddress: string | undefined;
  readonly ifaceName: string | undefined;
  readonly source: string | undefined;
  readonly type: MessageType;
  readonly expiresAt: number;
}

/** Requests whose reply depends only on the lease state they leave behind. */
const CACHEABLE = new Set([MessageType.DISCOVER, MessageType.REQUEST, MessageType.INFORM]);
/** Bytes 8-9 of the BOOTP header: seconds since the client began, which a retransmission may advance. */
const SECS = 8;

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  /** Every entry in the order it was made (each lives ttlMs: the expired ones are at the front). */
  private readonly order = new TimeOrderedKeys<Entry>((key) => this.entries.get(key));
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private slabUsed = 0;
  /** The buffer copy() wrote into last. */
  private copied: Buffer = this.slab;
  private hits = 0;
  private misses = 0;

  constructor(private readonly clock: Clock, private readonly limits: () => ResponseCacheLimits) {}

  /** The reply already sent for this very request, or undefined (then the client's older entry is forgotten). */
  lookup(routed: RoutedRequest): { readonly reply: Outbound; readonly type: MessageType } | undefined {
    if (!CACHEABLE.has(routed.request.type)) {
      this.entries.delete(routed.clientKey);
      return undefined;
    }
    const entry = this.entries.get(routed.clientKey);
    if (entry !== undefined && this.matches(entry, routed)) {
      this.hits++;
      // Its own exact-size copy: what was sent, without handing out (or pinning) a view of the slab.
      const start = entry.at + entry.requestLength;
      const data = exactCopy(entry.slab.subarray(start, start + entry.replyLength));
      return { reply: { data, to: entry.to, hwAddress: entry.hwAddress, ifaceName: entry.ifaceName, source: entry.source }, type: entry.type };
    }
    if (entry !== undefined) this.entries.delete(routed.clientKey);
    this.misses++;
    return undefined;
  }

  /** Keeps the reply just sent for this request. */
  remember(routed: RoutedRequest, reply: Outbound, type: MessageType): void {
    const { maxEntries, ttlMs } = this.limits();
    if (!CACHEABLE.has(routed.request.type) || maxEntries <= 0) return;
    const now = this.clock.now();
    const request = routed.inbound.data;
    const { data } = reply;
    const at = this.copy(request, data);
    const slab = this.copied;
    const entry: Entry = {
      key: routed.clientKey, slab, at, requestLength: request.length, replyLength: data.length,
      fromAddress: routed.inbound.from.address, fromPort: routed.inbound.from.port, iface: routed.inbound.iface?.name,
      to: reply.to, hwAddress: reply.hwAddress, ifaceName: reply.ifaceName, source: reply.source, type, expiresAt: now + ttlMs,
    };
    this.entries.set(entry.key, entry);
    this.order.push(entry.key, entry);
    this.evict(maxEntries, now);
  }

  /**
   * Copies the request's and the reply's bytes, one after the other, into the current slab (a new one when it is
   * full); returns where they start in `copied`, the buffer written (no pair object per entry).
   */
  private copy(request: Uint8Array, reply: Uint8Array): number {
    const length = request.length + reply.length;
    // Larger than a quarter slab (never from a real client): a buffer of its own rather than a mostly empty slab.
    if (length > SLAB_BYTES / 4) {
      this.copied = Buffer.concat([request, reply]);
      return 0;
    }
    if (this.slabUsed + length > SLAB_BYTES) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.slabUsed = 0;
    }
    const { slab } = this;
    const at = this.slabUsed;
    slab.set(request, at);
    slab.set(reply, at + request.length);
    this.slabUsed += length;
    this.copied = slab;
    return at;
  }

  /** Drops expired entries and the oldest beyond maxEntries; a slab goes once its entries have left `order`. */
  private evict(maxEntries: number, now: number): void {
    this.order.dropOldest((key, oldest) => {
      if (this.entries.size <= maxEntries && oldest.expiresAt > now) return false;
      this.entries.delete(key);
      return true;
    });
    this.order.compact(this.entries.size);
  }

  /** The client's lease changed some other way (a timer, a release): its last reply may no longer hold. */
  forget(clientKey: string): void {
    this.entries.delete(clientKey);
  }

  /** A reload: replies built under the old config are not sent again. */
  clear(): void {
    this.entries.clear();
    this.order.clear();
  }

  stats(): ResponseCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, ...this.limits() };
  }

  private matches(entry: Entry, routed: RoutedRequest): boolean {
    if (this.clock.now() >= entry.expiresAt) return false;
    const { data, from, iface } = routed.inbound;
    const { slab, at, requestLength } = entry;
    return data.length === requestLength && from.address === entry.fromAddress && from.port === entry.fromPort
      && iface?.name === entry.iface
      && data.compare(slab, at, at + SECS, 0, SECS) === 0 && data.compare(slab, at + SECS + 2, at + requestLength, SECS + 2) === 0;
  }
}
