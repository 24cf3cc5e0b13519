// A client's transaction machine run by pure steps (no live XState actor, which cost more than the DHCP work):
// it executes the machine's `decide`, `checkConflict` and `sendReply` actions and its `clientQuiet` timer, and
// reports like an actor (next / error / complete), so the router supervises it the same way.
import {
  transactionMachine, type CheckConflictInput, type DecideInput, type TransactionContext, type TransactionEvent,
} from '../../machines/transaction.machine.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';
import type { TransactionActor } from '../router/options.js';
import type { ConflictVerdict } from '../server/conflict-check/verdict.js';
import type { Decision } from '../server/decision.js';
import { createStepper, type ActionSink, type OwnedSnapshot } from './stepper.js';

export interface TransactionEffects {
  readonly decide: (input: DecideInput) => Promise<Decision>;
  readonly checkConflict: (input: CheckConflictInput) => Promise<ConflictVerdict>;
  readonly sendReply: (decision: Decision, packet: RoutedRequest) => void;
  readonly clock: Clock;
}

type Snapshot = OwnedSnapshot<TransactionContext>;
type Observer = Parameters<TransactionActor['subscribe']>[0];

/** The machine's state waiting for the client's next message after an OFFER. */
const WAITING = 'awaitingRequest';

const NOT_STARTED = Object.freeze({ value: 'idle', status: 'active', context: Object.freeze({}) });
/** A snapshot's context until its initial step writes the real one. */
const NO_CONTEXT = Object.freeze({}) as TransactionContext;

const stepper = createStepper<TransactionContext, TransactionEvent, { clientKey: string }>(transactionMachine, { clientKey: '' });

/**
 * Where every transaction's steps put what they execute (advanceInto): five steps a DORA each made an array and an
 * object per action before. A step taken while another's actions run (an effect that steps a transaction at once)
 * gets a sink of its own.
 */
const SHARED_SINK: ActionSink = { types: [], params: [] };
let sharedSinkBusy = false;

export class PassiveTransaction implements TransactionActor {
  private snapshot: Snapshot | undefined;
  private observer: Observer | undefined;
  private timer: { id: string; handle: TimerHandle } | undefined;
  /**
   * The delayed event the step under way asked for, armed when the step is over: the step's observer often lets the
   * transaction go at once (an OFFER's exchange waits for its client without an actor), and a timer set and cleared
   * at once cost a Node timer and its handle per DORA.
   */
  private toArm: { id: string; delay?: number; event: TransactionEvent } | undefined;
  private stopped = false;
  private errored = false;

  /** `waiting`: resumes an exchange waiting for this client's next message (the router kept it without an actor). */
  constructor(
    private readonly clientKey: string,
    private readonly effects: TransactionEffects,
    private readonly waiting = false,
  ) {}

  start(): void {
    // The transaction's own snapshot from now on, stepped in place; the initial step writes into it (no pair and no
    // snapshot of the stepper's own per transaction, two per DORA).
    const snapshot: Snapshot = { value: '', context: NO_CONTEXT, status: 'active' };
    const sink = sharedSinkBusy ? { types: [], params: [] } : SHARED_SINK;
    const count = stepper.initialInto({ clientKey: this.clientKey }, snapshot, sink);
    this.snapshot = snapshot;
    if (this.waiting) {
      // awaitingRequest's entry is not run again: its context is the fresh one it would forget to, and its
      // clientQuiet was kept by the router, which resumes it only to hand over the client's message at once.
      snapshot.value = WAITING;
      for (let i = 0; i < count; i++) sink.params[i] = undefined;
      return;
    }
    this.runSink(sink, count);
    this.armAsked();
  }

  send(event: TransactionEvent): void {
    if (this.stopped || this.snapshot === undefined || this.snapshot.status !== 'active') return;
    // The snapshot and its context are this transaction's alone (getSnapshot's readers look, never keep): stepped
    // in place.
    const snapshot = this.snapshot;
    const sink = sharedSinkBusy ? { types: [], params: [] } : SHARED_SINK;
    const count = stepper.advanceInto(snapshot, event, sink);
    if (count < 0) return;
    // This step's end, whatever steps the observer takes next.
    const done = snapshot.status === 'done';
    try {
      this.runSink(sink, count);
    } catch (error) {
      // An effect that throws ends this client's exchange only, as an actor error would.
      this.errored = true;
      this.stop();
      this.observer?.error(error);
      return;
    }
    this.observer?.next();
    if (done) this.finish();
    this.armAsked();
  }

  getSnapshot(): { value: unknown; status: string; context: { error?: unknown } } {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return NOT_STARTED;
    // The machine's own snapshot while it runs (the lane asks after every step): a copy only to name an end.
    if (!this.errored && !(this.stopped && snapshot.status === 'active')) return snapshot;
    return { value: snapshot.value, status: this.errored ? 'error' : 'stopped', context: snapshot.context };
  }

  subscribe(observer: Observer): void {
    this.observer = observer;
  }

  stop(): void {
    this.stopped = true;
    this.toArm = undefined;
    this.timer?.handle.cancel();
    this.timer = undefined;
  }

  private finish(): void {
    this.stop();
    this.observer?.complete();
  }

  /** Runs the step's actions from the sink, then empties it (its params must not keep decisions and packets alive). */
  private runSink(sink: ActionSink, count: number): void {
    const shared = sink === SHARED_SINK;
    if (shared) sharedSinkBusy = true;
    try {
      for (let i = 0; i < count; i++) this.runOne(sink.types[i]!, sink.params[i]);
    } finally {
      for (let i = 0; i < count; i++) sink.params[i] = undefined;
      if (shared) sharedSinkBusy = false;
    }
  }

  private runOne(type: string, params: unknown): void {
    switch (type) {
      case 'decide':
        this.ask(this.effects.decide, params as DecideInput, (this.decided ??= this.onDecided.bind(this)));
        break;
      case 'checkConflict':
        this.ask(this.effects.checkConflict, params as CheckConflictInput, (this.checked ??= this.onChecked.bind(this)));
        break;
      case 'sendReply': {
        const { decision, packet } = params as { decision: Decision; packet: RoutedRequest };
        this.effects.sendReply(decision, packet);
        break;
      }
      case 'xstate.raise':
        if ((params as { delay?: number }).delay !== undefined) this.toArm = params as { id: string; delay?: number; event: TransactionEvent };
        break;
      case 'xstate.cancel': {
        const { sendId } = params as { sendId: string };
        if (this.toArm?.id === sendId) this.toArm = undefined;
        if (this.timer?.id === sendId) this.timer.handle.cancel();
        break;
      }
    }
  }

  // The answers of the asynchronous effects, as events: bound once per transaction and only when first needed (a
  // REQUEST's exchange never checks a conflict), not per effect run.
  private decided: ((decision: Decision) => void) | undefined;
  private checked: ((verdict: ConflictVerdict) => void) | undefined;
  private failed: ((error: unknown) => void) | undefined;

  private onDecided(decision: Decision): void {
    this.send({ type: 'txn.decided', decision });
  }

  private onChecked(verdict: ConflictVerdict): void {
    this.send(verdict.kind === 'checked' ? { type: 'txn.checked', decision: verdict.decision } : { type: 'txn.conflict' });
  }

  private onFailed(error: unknown): void {
    this.send({ type: 'txn.failed', error });
  }

  /** Runs an asynchronous effect; its result comes back through `answered`, a failure (thrown or rejected) as txn.failed. */
  private ask<I, T>(effect: (input: I) => Promise<T>, input: I, answered: (result: T) => void): void {
    let result: Promise<T>;
    try {
      result = effect.call(this.effects, input);
    } catch (error) {
      result = Promise.reject(error);
    }
    // The answer always comes back as a later step, after the one that asked for it has finished.
    result.then(answered, (this.failed ??= this.onFailed.bind(this)));
  }

  /** Arms the delayed event the step asked for, unless the transaction was stopped meanwhile. */
  private armAsked(): void {
    const params = this.toArm;
    if (params === undefined || params.delay === undefined) return;
    this.toArm = undefined;
    if (this.stopped) return;
    this.timer?.handle.cancel();
    this.timer = { id: params.id, handle: this.effects.clock.setTimer(params.delay, () => this.send(params.event)) };
  }
}
