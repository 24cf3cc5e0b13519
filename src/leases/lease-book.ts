// The in-memory lease table: every lease's machine snapshot, indexed by address and by client, with its timers
// in the shared expiry schedule. Only events that go through the lease machine change a lease. Leases a timer or an
// undo touched lately are kept as records; offers, bound leases and all the others rest packed in columns
// (packed-leases.ts), which is what lets 10^6 leases load in seconds and fit in a few hundred megabytes.
import type { Clock } from '../clock.js';
import type { LeaseEvent, LeaseInput } from '../../machines/lease.machine.js';
import type { LeaseRecord, LeaseTimer } from '../../machines/lease.types.js';
import { intToIp, parseIpv4 } from '../codec/index.js';
import { OrderedSlotMap } from '../collections/ordered-slot-map.js';
import { ClientAddresses } from './client-addresses.js';
import { ExpirySchedule, type ScheduledTimer } from './expiry-schedule.js';
import type { PackedLeases, LeaseSummaryFn } from '../lease-columns/packed-leases.js';
import { RestingLeases } from '../lease-columns/resting-leases.js';
import type { TableIndexes } from '../lease-columns/table-indexes.js';
import { earliestOf, TimerBuckets } from './timer-buckets.js';
import { startLease, stepLease, type TimerEvent } from './lease-runner.js';
import { isFinal, isLive } from './states.js';
import { transitionOf, type TransitionCause, type TransitionListener } from './transition.js';
import { OfferQueue } from './offer-queue.js';

export interface LeaseChange {
  readonly before: LeaseRecord | undefined;
  readonly after: LeaseRecord;
}

/** Told when an address becomes taken (a live or declined lease) or free (no lease, or a final one). */
export type TakenListener = (record: LeaseRecord, taken: boolean) => void;

/** Told of every change of a stored record (undefined: no record before, or none after). */
export type StoredChangeListener = (before: LeaseRecord | undefined, after: LeaseRecord | undefined) => void;

export interface LeaseBookOptions {
  readonly clock: Clock;
  /** A timer moved a lease (T1, T2, expiry, end of grace or probation, offer timeout). */
  readonly onTimerChange: (change: LeaseChange) => void;
  readonly yieldFn?: (next: () => void) => void;
  /** Every transition of every lease: offers, events, timers, and undos of changes whose write failed. */
  readonly onTransition?: TransitionListener;
  /** How many recently set leases stay records before the least recent is packed (default 10,000). */
  readonly hotLimit?: number;
}

export type { LeaseSummaryFn };

/**
 * Records set most recently stay objects (but bound and offered ones, see `keep`): a lease a timer or an undo moved
 * is likely to be asked about again soon. Beyond this many, the least recently set one is packed.
 */
const HOT_LIMIT = 10_000;

/** The address is not free: as `isTaken`, but of a stored record, without applying due timers. */
const isTakenRecord = (record: LeaseRecord): boolean => !isFinal(record.state);

function isMoreCurrent(a: LeaseRecord, b: LeaseRecord): boolean {
  if (isLive(a.state) !== isLive(b.state)) return isLive(a.state);
  return a.context.changedAt > b.context.changedAt;
}

/** The book's own fields, which a view copies (see withCause). */
type BookField =
  | 'options' | 'hot' | 'mutable' | 'packed' | 'byClient' | 'schedule' | 'timers' | 'takenListeners' | 'changeListeners'
  | 'cause' | 'offers';

export class LeaseBook {
  /** Leases touched lately, least recently set first (not a Map: an offer comes and goes per DORA). */
  private readonly hot = new OrderedSlotMap<LeaseRecord>();
  /**
   * Changed in place, never assigned: the views `withCause` makes share this object with the book (a field assigned
   * through a view would become the view's own and leave the book's stale).
   */
  private readonly mutable: {
    /** The record `stored` found last (hot, or packed and built); dropped whenever any stored lease changes. */
    lastFound?: LeaseRecord | undefined;
    /**
     * The address `stored` last found without a lease; dropped whenever any stored lease changes. A DISCOVER asks of
     * the free address it picks four or five times before it holds it (is it free, is it taken, settle, before).
     */
    lastMissing?: string | undefined;
  } = {};
  /** Every other lease (an address is in one of the two, never both). */
  private readonly packed = new RestingLeases();
  /** Every address a client still has a record for: timers, restores and undos must not lose its current one. */
  private readonly byClient = new ClientAddresses();
  private readonly schedule: ExpirySchedule;
  private readonly timers: TimerBuckets;
  private readonly takenListeners = new Set<TakenListener>();
  private readonly changeListeners = new Set<StoredChangeListener>();
  /** Set only on the views `withCause` returns. */
  private readonly cause: TransitionCause | undefined;
  private readonly offers = new OfferQueue();

  constructor(private readonly options: LeaseBookOptions) {
    this.schedule = new ExpirySchedule({
      clock: options.clock,
      fire: (timer) => this.fire(timer),
      isCurrent: (timer) => this.isCurrent(timer),
      ...(options.yieldFn ? { yieldFn: options.yieldFn } : {}),
    });
    this.timers = new TimerBuckets({
      clock: options.clock,
      schedule: this.schedule,
      timersOf: (ip) => this.timersAt(ip),
      ...(options.yieldFn ? { yieldFn: options.yieldFn } : {}),
    });
  }

  /**
   * A view of this book whose offers and events are reported with `cause` (the request being answered). It shares
   * every table with the book (its fields are the book's, all of them references; `mutable` holds what changes), so
   * the handlers need not pass the cause to each call, and it holds across the awaits of an exchange. Not an object
   * whose prototype is the book: V8 gives such objects a hidden class of that book's own, so the packet path's
   * optimized code named the warm-up's book (src/warmup/) and was thrown away when the daemon's replaced it — at the
   * first garbage collection under real load, ~20 functions deoptimized for "weak objects" (~10 with these views,
   * for closures of the warm-up's pipeline). Views made this way share one hidden class per class of book, whatever
   * the book.
   */
  withCause(cause: TransitionCause): this {
    // The book's class (a subclass's overrides hold for its views too), not the book itself.
    const view = Object.create(Object.getPrototypeOf(this) as object) as Record<BookField, unknown>;
    // In the order the constructor defines them.
    view.options = this.options;
    view.hot = this.hot;
    view.mutable = this.mutable;
    view.packed = this.packed;
    view.byClient = this.byClient;
    view.schedule = this.schedule;
    view.timers = this.timers;
    view.takenListeners = this.takenListeners;
    view.changeListeners = this.changeListeners;
    view.cause = cause;
    view.offers = this.offers;
    return view as unknown as this;
  }

  get size(): number {
    return this.hot.size + this.packed.size;
  }

  /** The lease as of now (see `asOfNow`). Pure, as every query here: only commands and timers change the book. */
  get(ip: string): LeaseRecord | undefined {
    return this.asOfNow(ip);
  }

  /** The client's current lease in a subnet: a live one before a finished one, then the latest (final ones give
   * lease affinity). Not simply the last one written: a declined address reclaimed after probation, or records
   * rehydrated in address order, would otherwise hide the client's bound lease. */
  currentLeaseOf(subnetId: number, clientKey: string): LeaseRecord | undefined {
    // As leasesOf, without its array: asked twice per DISCOVER.
    let best: LeaseRecord | undefined;
    const candidates = this.byClient.candidates(subnetId, clientKey);
    for (let i = 0; i < candidates.length; i++) {
      const record = this.leaseOfAt(candidates[i]!, subnetId, clientKey);
      if (record !== undefined && (best === undefined || isMoreCurrent(record, best))) best = record;
    }
    return best;
  }

  /** Every record the client has in a subnet, whatever its state (`currentLeaseOf` picks the one that counts). */
  leasesOf(subnetId: number, clientKey: string): LeaseRecord[] {
    const out: LeaseRecord[] = [];
    const candidates = this.byClient.candidates(subnetId, clientKey);
    for (let i = 0; i < candidates.length; i++) {
      const record = this.leaseOfAt(candidates[i]!, subnetId, clientKey);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  /** Whether the client has a record in the subnet at an address other than `ip` (whatever its state). */
  hasLeaseElsewhere(subnetId: number, clientKey: string, ip: string): boolean {
    const n = parseIpv4(ip) >>> 0;
    const candidates = this.byClient.candidates(subnetId, clientKey);
    for (let i = 0; i < candidates.length; i++) {
      if (candidates[i] !== n && this.leaseOfAt(candidates[i]!, subnetId, clientKey) !== undefined) return true;
    }
    return false;
  }

  /** The lease as of now at a candidate address of the client: the index only names candidates (a hash). */
  private leaseOfAt(ip: number, subnetId: number, clientKey: string): LeaseRecord | undefined {
    const stored = this.stored(intToIp(ip));
    return stored?.context.clientKey === clientKey && stored.context.subnetId === subnetId ? this.applyDue(stored) : undefined;
  }

  /** Whether the address is taken: offered, bound, renewing, rebinding, expired in grace, or declined. */
  isTaken(ip: string): boolean {
    const record = this.asOfNow(ip);
    return record !== undefined && !isFinal(record.state);
  }

  /**
   * The lease as of now: the stored record with the timers already due applied, without storing the result. The
   * shared schedule fires those timers, but in slices and only once the event loop gets to it (after a restart, a
   * whole backlog): a request must never see a lease that has in fact expired as still bound.
   */
  private asOfNow(ip: string): LeaseRecord | undefined {
    const record = this.stored(ip);
    return record === undefined ? undefined : this.applyDue(record);
  }

  private applyDue(stored: LeaseRecord): LeaseRecord {
    const now = this.options.clock.now();
    let record = stored;
    for (;;) {
      const due = record.timers.find((t) => t.at <= now);
      const next = due === undefined ? undefined : stepLease(record, { type: due.event });
      if (next === undefined) return record;
      record = next;
    }
  }

  /** The stored record of the address (due timers not applied). */
  private stored(ip: string): LeaseRecord | undefined {
    // A decision reads its lease a dozen times (queries, settle, apply, set): the last record found serves them all,
    // a string compare instead of a Map lookup (or, for a packed lease, building its record again).
    const last = this.mutable.lastFound;
    if (last !== undefined && last.context.ip === ip) return last;
    if (ip === this.mutable.lastMissing) return undefined;
    const hot = this.hot.get(ip);
    if (hot !== undefined) return (this.mutable.lastFound = hot);
    const n = this.packed.size === 0 ? -1 : parseIpv4(ip);
    const built = n < 0 ? undefined : this.packed.get(n);
    this.mutable.lastFound = built;
    if (built === undefined) this.mutable.lastMissing = ip;
    return built;
  }

  /**
   * Applies the address's due timers for real (reported, and handed to `onTimerChange` to be stored) before a
   * command changes the lease, so the command starts from the lease the queries showed. A global settle before
   * each decision would instead fire a whole restart backlog inside one request.
   */
  private settle(ip: string): void {
    const now = this.options.clock.now();
    for (let record = this.stored(ip); record !== undefined;) {
      const due = record.timers.find((t) => t.at <= now);
      if (due === undefined) return;
      const change = this.apply(ip, { type: due.event });
      if (change === undefined) return;
      this.options.onTimerChange(change);
      record = change.after;
    }
  }

  /** Starts a new lease machine for the address (an offer); the address must not be taken. */
  offer(input: LeaseInput): LeaseChange {
    if (this.isTaken(input.ip)) throw new TypeError(`address ${input.ip} is taken`);
    return this.takeOver(input);
  }

  /**
   * Starts a new lease machine for the address in place of whatever lease it has, taken or not: for the same host
   * coming back under another client identifier. `revert` of the change puts the old lease back.
   */
  takeOver(input: LeaseInput): LeaseChange {
    this.settle(input.ip);
    const change = { before: this.stored(input.ip), after: startLease(input) };
    this.set(change.after);
    this.report(change.before, change.after, 'lease.offer');
    return change;
  }

  /** Sends an event to the address's lease machine; undefined when there is no lease or the event is refused. */
  send(ip: string, event: LeaseEvent | TimerEvent): LeaseChange | undefined {
    this.settle(ip);
    return this.apply(ip, event);
  }

  private apply(ip: string, event: LeaseEvent | TimerEvent): LeaseChange | undefined {
    const before = this.stored(ip);
    if (before === undefined) return undefined;
    const after = stepLease(before, event);
    if (after === undefined) return undefined;
    this.set(after);
    this.report(before, after, event.type);
    return { before, after };
  }

  /** Puts a record back as it was (undoing a change whose write failed, or a change another server made). */
  restore(record: LeaseRecord): void {
    this.set(record, false);
  }

  /**
   * Loads a stored record at start: like `restore`, but the record rests packed until something touches it, and its
   * timers wait parked, even those already due (reads apply them: `asOfNow`).
   */
  rehydrate(record: LeaseRecord): void {
    this.set(record, true);
  }

  /** While a scan of the store rehydrates leases: no lease timer enters the schedule or fires until `releaseTimers`. */
  holdTimers(): void {
    this.timers.hold();
  }

  releaseTimers(): void {
    this.timers.release();
  }

  /**
   * Loads a whole table of stored leases at start (a snapshot), into an empty book: only the indexes are built, no
   * record per lease, and no listener is told lease by lease. That is right before serving only, which is when it
   * is called: what follows the book (free-address bitmaps, pool counts, the reply cache) is empty or builds itself
   * from `forEachLease` on first use.
   */
  loadPacked(table: PackedLeases): void {
    if (this.size > 0) throw new TypeError('loadPacked() into a book that holds leases');
    const indexed = table.takeIndexes();
    this.packed.load(table);
    this.forgetLookups();
    if (indexed !== undefined) {
      this.adoptIndexes(table, indexed.indexes, indexed.changed);
      return;
    }
    const packed = this.packed;
    this.byClient.reserve(packed.size);
    packed.forEachIndexed((ip, clientHash, state, earliest) => {
      this.byClient.addHashed(clientHash, ip);
      this.timers.addEarliest(ip, earliest);
      if (state === 'offered') this.offers.update(undefined, packed.get(ip));
    });
  }

  /**
   * The indexes computed with the loaded table (lease-columns/table-indexes.ts), then each address changed since
   * (a delta file's or journal's replay) indexed again: its old client entry dropped, its timers parked anew (an
   * entry parked before is stale and skipped when its bucket opens), its offer taken as it is now.
   */
  private adoptIndexes(table: PackedLeases, indexes: TableIndexes, changed: ReadonlyMap<number, number | undefined>): void {
    this.byClient.adopt(indexes.byClient);
    this.timers.adoptParked(indexes.parked);
    for (const ip of indexes.unparked) if (!changed.has(ip)) this.timers.addEarliest(ip, Number.NaN);
    const offer = (ip: number) => {
      if (table.stateOf(ip) === 'offered') this.offers.update(undefined, table.get(ip));
    };
    for (const ip of indexes.offered) if (!changed.has(ip)) offer(ip);
    for (const [ip, hashBefore] of changed) {
      if (hashBefore !== undefined) this.byClient.deleteHashed(hashBefore, ip);
      const hash = table.clientHashOf(ip);
      if (hash === undefined) continue;
      this.byClient.addHashed(hash, ip);
      this.timers.addEarliest(ip, earliestOf(table.timersOf(ip)!));
      offer(ip);
    }
  }

  /** Drops an address's lease: another server deleted it from the shared database. */
  forget(ip: string): void {
    const record = this.stored(ip);
    if (record !== undefined) this.remove(record);
  }

  /** Undoes a change if nothing else changed the lease since. */
  revert(change: LeaseChange): void {
    if (!this.isStored(change.after)) return;
    if (change.before === undefined) this.remove(change.after);
    else this.set(change.before);
    const { onTransition } = this.options;
    if (onTransition === undefined) return;
    const undone = transitionOf(change.after, change.before ?? change.after, 'lease.revert', this.cause);
    onTransition({ ...undone, at: this.options.clock.now(), to: change.before?.state ?? 'none' });
  }

  /** Addresses held as offers in a subnet, the oldest offer first (some may have timed out since: check). */
  offeredOldestFirst(subnetId: number): Iterable<string> {
    return this.offers.oldest(subnetId);
  }

  /** Follows every change of an address between taken and free (free-address indexes); returns the unsubscribe. */
  onTakenChange(listener: TakenListener): () => void {
    this.takenListeners.add(listener);
    return () => this.takenListeners.delete(listener);
  }

  /** Follows every change of a stored record (incremental counts); returns the unsubscribe. */
  onStoredChange(listener: StoredChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Fires up to `limit` timers that are already due (the schedule fires them in slices, later): a search over
   * taken addresses then sees expired leases as free, as `current` would. Cheap when nothing is due. */
  settleDue(limit: number): void {
    this.schedule.fireDue(limit);
  }

  /** Every stored record (packed ones built on the way): for listings; counts use `forEachLease`. */
  *values(): IterableIterator<LeaseRecord> {
    // A copy of the hot ones: a set during the walk moves its record to the end.
    for (const [, record] of this.hot.entries()) yield record;
    yield* this.packed.records();
  }

  /** Address, subnet and stored state of every lease, without building records. */
  forEachLease(fn: LeaseSummaryFn): void {
    for (const [ip, record] of this.hot.entries()) fn(parseIpv4(ip), record.context.subnetId, record.state);
    this.packed.forEach(fn);
  }

  stop(): void {
    this.schedule.stop();
    this.timers.stop();
  }

  private report(before: LeaseRecord | undefined, after: LeaseRecord, event: string): void {
    // A timer that falls due while a request looks at the lease was not caused by that request.
    const cause = event.startsWith('xstate.after.') ? undefined : this.cause;
    this.options.onTransition?.(transitionOf(before, after, event, cause));
  }

  private set(record: LeaseRecord, atRest = false): void {
    const { ip, subnetId, clientKey } = record.context;
    const n = parseIpv4(ip);
    if (n < 0) throw new TypeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
    const previous = this.stored(ip);
    // The same client's record again (most changes): its index entry stands, no hash of its key to work out.
    const sameClient = previous !== undefined && previous.context.subnetId === subnetId && previous.context.clientKey === clientKey;
    if (previous !== undefined && !sameClient) this.unindex(previous);
    this.keep(record, n, atRest, previous !== undefined);
    this.notifyTaken(previous, record);
    for (const listener of this.changeListeners) listener(previous, record);
    this.offers.update(previous, record);
    if (!sameClient) this.byClient.add(subnetId, clientKey, n);
    if (atRest) this.timers.addEarliest(n, earliestOf(record.timers));
    else this.timers.add(n, record.timers, ip);
  }

  /**
   * Stores the record: packed when at rest, bound or offered (and it packs), else as the most recently set hot one.
   * A bound lease is done with until its client renews, half a lease later: kept hot, it stayed an object for the
   * next 10,000 changes of other leases, long enough to be promoted to the old generation at every ACK and die there
   * (~420 bytes per DORA for the major GCs to mark and sweep). An offer whose REQUEST never comes (a client that took
   * another server's offer, or one of a flood) did the same: packed, DISCOVERs alone cost 8 % less CPU and promote
   * half as much, while a whole DORA costs the same (its REQUEST builds the offer back from the columns). Packed, a
   * record dies young; the decision that set it goes on reading the very record (`lastFound`).
   * `wasStored`: the address had a record (hot or packed) to replace; a new one (every offer of a free address) has
   * neither a hot entry nor a packed slot to drop.
   */
  private keep(record: LeaseRecord, n: number, atRest: boolean, wasStored: boolean): void {
    const ip = record.context.ip;
    this.forgetLookups();
    if (wasStored) this.hot.delete(ip);
    if ((atRest || record.state === 'bound' || record.state === 'offered') && this.packed.pack(record)) {
      if (!atRest) this.mutable.lastFound = record;
      return;
    }
    this.hot.set(ip, record);
    if (wasStored) this.packed.delete(n);
    if (this.hot.size > (this.options.hotLimit ?? HOT_LIMIT)) this.packOldest();
  }

  /** The stored leases changed: what `stored` remembers of its last lookups no longer holds. */
  private forgetLookups(): void {
    this.mutable.lastFound = undefined;
    this.mutable.lastMissing = undefined;
  }

  private packOldest(): void {
    const ip = this.hot.oldestKey();
    if (ip === undefined) return;
    const record = this.hot.get(ip)!;
    this.forgetLookups();
    this.hot.delete(ip);
    // One the columns cannot hold goes to the back: it stays an object.
    if (!this.packed.pack(record)) this.hot.set(ip, record);
  }

  /** Whether the record is the address's stored one: the very object, or (packed since) an exact copy of it. */
  private isStored(record: LeaseRecord): boolean {
    const hot = this.hot.get(record.context.ip);
    if (hot !== undefined) return hot === record;
    const packed = this.packed.size === 0 ? undefined : this.packed.get(parseIpv4(record.context.ip));
    return packed !== undefined && sameRecord(packed, record);
  }

  /** The address's stored timers, for the timer buckets. */
  private timersAt(n: number): readonly LeaseTimer[] | undefined {
    return this.hot.get(intToIp(n))?.timers ?? this.packed.timersOf(n);
  }

  private remove(record: LeaseRecord): void {
    this.forgetLookups();
    this.hot.delete(record.context.ip);
    this.packed.delete(parseIpv4(record.context.ip));
    this.offers.update(record, undefined);
    for (const listener of this.changeListeners) listener(record, undefined);
    this.unindex(record);
    if (isTakenRecord(record)) for (const listener of this.takenListeners) listener(record, false);
  }

  private notifyTaken(previous: LeaseRecord | undefined, record: LeaseRecord): void {
    if (this.takenListeners.size === 0) return;
    const wasTaken = previous !== undefined && isTakenRecord(previous);
    const taken = isTakenRecord(record);
    // A record that moved to another subnet (a reload) leaves the old subnet's index and enters the new one's.
    const moved = previous !== undefined && previous.context.subnetId !== record.context.subnetId;
    if (wasTaken && (!taken || moved)) for (const listener of this.takenListeners) listener(previous, false);
    if (taken && (!wasTaken || moved)) for (const listener of this.takenListeners) listener(record, true);
  }

  private unindex(record: LeaseRecord): void {
    this.byClient.delete(record.context.subnetId, record.context.clientKey, parseIpv4(record.context.ip));
  }

  /** Without building a packed lease's record: the schedule asks this of every entry when it sweeps. */
  private isCurrent(timer: ScheduledTimer): boolean {
    const hot = this.hot.get(timer.key);
    if (hot !== undefined) return hot.timers.some((t) => t.event === timer.event && t.at === timer.at);
    return this.packed.size > 0 && this.packed.hasTimer(parseIpv4(timer.key), timer.event, timer.at);
  }

  /** Schedule entries are never removed early: a timer fires only if the lease still has it. */
  private fire(timer: ScheduledTimer): void {
    if (!this.isCurrent(timer)) return;
    const change = this.apply(timer.key, { type: timer.event });
    if (change !== undefined) this.options.onTimerChange(change);
  }
}

/** Same state, context and timers (numbers compared with Object.is, as the columns keep them). */
function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  if (a.state !== b.state || a.timers.length !== b.timers.length) return false;
  if (a.timers.some((t, i) => t.event !== b.timers[i]!.event || !Object.is(t.at, b.timers[i]!.at))) return false;
  const keys = new Set([...Object.keys(a.context), ...Object.keys(b.context)]) as Set<keyof LeaseRecord['context']>;
  for (const key of keys) if (!Object.is(a.context[key], b.context[key])) return false;
  return true;
}
