// The in-memory lease table: every lease's machine snapshot, indexed by address and by client, with its timers
// in the shared expiry schedule. Only events that go through the lease machine change a lease.
import type { Clock } from '../clock.js';
import type { LeaseEvent, LeaseInput } from '../../machines/lease.machine.js';
import type { LeaseRecord } from '../../machines/lease.types.js';
import { ClientAddresses } from './client-addresses.js';
import { ExpirySchedule, type ScheduledTimer } from './expiry-schedule.js';
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

export interface LeaseBookOptions {
  readonly clock: Clock;
  /** A timer moved a lease (T1, T2, expiry, end of grace or probation, offer timeout). */
  readonly onTimerChange: (change: LeaseChange) => void;
  readonly yieldFn?: (next: () => void) => void;
  /** Every transition of every lease: offers, events, timers, and undos of changes whose write failed. */
  readonly onTransition?: TransitionListener;
}

const clientIndexKey = (subnetId: number, clientKey: string): string => `${subnetId}/${clientKey}`;

/** The address is not free: as `isTaken`, but of a stored record, without applying due timers. */
const isTakenRecord = (record: LeaseRecord): boolean => !isFinal(record.state);

function isMoreCurrent(a: LeaseRecord, b: LeaseRecord): boolean {
  if (isLive(a.state) !== isLive(b.state)) return isLive(a.state);
  return a.context.changedAt > b.context.changedAt;
}

export class LeaseBook {
  private readonly byIp = new Map<string, LeaseRecord>();
  /** Every address a client still has a record for: timers, restores and undos must not lose its current one. */
  private readonly byClient = new ClientAddresses();
  private readonly schedule: ExpirySchedule;
  private readonly takenListeners = new Set<TakenListener>();
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
  }

  /**
   * A view of this book whose offers and events are reported with `cause` (the request being answered). It shares
   * every table with the book (it is an object whose prototype is the book), so the handlers need not pass the
   * cause to each call, and it holds across the awaits of an exchange.
   */
  withCause(cause: TransitionCause): this {
    return Object.create(this, { cause: { value: cause } }) as this;
  }

  get size(): number {
    return this.byIp.size;
  }

  /** The lease as of now (see `asOfNow`). Pure, as every query here: only commands and timers change the book. */
  get(ip: string): LeaseRecord | undefined {
    return this.asOfNow(ip);
  }

  /** The client's current lease in a subnet: a live one before a finished one, then the latest (final ones give
   * lease affinity). Not simply the last one written: a declined address reclaimed after probation, or records
   * rehydrated in address order, would otherwise hide the client's bound lease. */
  currentLeaseOf(subnetId: number, clientKey: string): LeaseRecord | undefined {
    let best: LeaseRecord | undefined;
    for (const ip of this.byClient.of(clientIndexKey(subnetId, clientKey))) {
      const record = this.asOfNow(ip);
      if (record !== undefined && (best === undefined || isMoreCurrent(record, best))) best = record;
    }
    return best;
  }

  /** Every record the client has in a subnet, whatever its state (`currentLeaseOf` picks the one that counts). */
  leasesOf(subnetId: number, clientKey: string): LeaseRecord[] {
    const out: LeaseRecord[] = [];
    for (const ip of this.byClient.of(clientIndexKey(subnetId, clientKey))) {
      const record = this.asOfNow(ip);
      if (record !== undefined) out.push(record);
    }
    return out;
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
    let record = this.byIp.get(ip);
    const now = this.options.clock.now();
    while (record !== undefined) {
      const due = record.timers.find((t) => t.at <= now);
      if (due === undefined) break;
      const next = stepLease(record, { type: due.event });
      if (next === undefined) break;
      record = next;
    }
    return record;
  }

  /**
   * Applies the address's due timers for real (reported, and handed to `onTimerChange` to be stored) before a
   * command changes the lease, so the command starts from the lease the queries showed. A global settle before
   * each decision would instead fire a whole restart backlog inside one request.
   */
  private settle(ip: string): void {
    const now = this.options.clock.now();
    for (let record = this.byIp.get(ip); record !== undefined;) {
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
    const change = { before: this.byIp.get(input.ip), after: startLease(input) };
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
    const before = this.byIp.get(ip);
    if (before === undefined) return undefined;
    const after = stepLease(before, event);
    if (after === undefined) return undefined;
    this.set(after);
    this.report(before, after, event.type);
    return { before, after };
  }

  /** Puts a record back as it was (rehydration at start, or undoing a change whose write failed). */
  restore(record: LeaseRecord): void {
    this.set(record);
  }

  /** Drops an address's lease: another server deleted it from the shared database. */
  forget(ip: string): void {
    const record = this.byIp.get(ip);
    if (record !== undefined) this.remove(record);
  }

  /** Undoes a change if nothing else changed the lease since. */
  revert(change: LeaseChange): void {
    if (this.byIp.get(change.after.context.ip) !== change.after) return;
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

  /** Fires up to `limit` timers that are already due (the schedule fires them in slices, later): a search over
   * taken addresses then sees expired leases as free, as `current` would. Cheap when nothing is due. */
  settleDue(limit: number): void {
    this.schedule.fireDue(limit);
  }

  values(): IterableIterator<LeaseRecord> {
    return this.byIp.values();
  }

  stop(): void {
    this.schedule.stop();
  }

  private report(before: LeaseRecord | undefined, after: LeaseRecord, event: string): void {
    // A timer that falls due while a request looks at the lease was not caused by that request.
    const cause = event.startsWith('xstate.after.') ? undefined : this.cause;
    this.options.onTransition?.(transitionOf(before, after, event, cause));
  }

  private set(record: LeaseRecord): void {
    const ip = record.context.ip;
    const previous = this.byIp.get(ip);
    const key = clientIndexKey(record.context.subnetId, record.context.clientKey);
    if (previous !== undefined && clientIndexKey(previous.context.subnetId, previous.context.clientKey) !== key) {
      this.unindex(previous);
    }
    this.byIp.set(ip, record);
    this.notifyTaken(previous, record);
    this.offers.update(previous, record);
    this.byClient.add(key, ip);
    for (const timer of record.timers) this.schedule.add({ at: timer.at, key: ip, event: timer.event });
  }

  private remove(record: LeaseRecord): void {
    this.byIp.delete(record.context.ip);
    this.offers.update(record, undefined);
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
    this.byClient.delete(clientIndexKey(record.context.subnetId, record.context.clientKey), record.context.ip);
  }

  private isCurrent(timer: ScheduledTimer): boolean {
    return this.byIp.get(timer.key)?.timers.some((t) => t.event === timer.event && t.at === timer.at) ?? false;
  }

  /** Schedule entries are never removed early: a timer fires only if the lease still has it. */
  private fire(timer: ScheduledTimer): void {
    if (!this.isCurrent(timer)) return;
    const change = this.apply(timer.key, { type: timer.event });
    if (change !== undefined) this.options.onTimerChange(change);
  }
}
