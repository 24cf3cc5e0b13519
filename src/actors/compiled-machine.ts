// A compiled interpreter for the XState machines the lease book and the router step by the million: atomic states
// and one level of nesting (a parent whose transitions apply to its children), no guards, `always` or `invoke`.
// The same definition, stepped in about a microsecond instead of XState's ~10 µs. The machine stays the single
// source of truth; test/unit/actors/compiled-machine.test.ts checks that every step equals XState's own
// `transition()` (state, context, status and actions) for generated event sequences.
import type { AnyStateMachine } from 'xstate';

/** A machine's state as the steppers see it: `value` is the active leaf state's key ("bound", not "leased.bound"). */
export interface FlatSnapshot<C = unknown> {
  readonly value: string;
  readonly context: C;
  readonly status: 'active' | 'done';
}

export interface ExecutableAction {
  readonly type: string;
  readonly params?: unknown;
}

export interface FlatStepper<C, E extends { type: string }, I> {
  initial(input: I): [FlatSnapshot<C>, readonly ExecutableAction[]];
  /**
   * Returns the very same snapshot when the event enables no transition; the given snapshot and its context are
   * left as they were. The actions returned are read-only and may be shared between steps.
   */
  step(snapshot: FlatSnapshot<C>, event: E): [FlatSnapshot<C>, readonly ExecutableAction[]];
  /**
   * step() for a caller that owns its snapshot and its context: both are changed in place (no new snapshot, no
   * pair per step). Returns the actions, or undefined when the event enables no transition (nothing changed).
   */
  advance(snapshot: OwnedSnapshot<C>, event: E): readonly ExecutableAction[] | undefined;
  /**
   * advance() that writes what the step executes into the caller's sink instead of an array of action objects: the
   * i-th action's type and params at `types[i]` and `params[i]`. Returns how many, or -1 when the event enables no
   * transition (nothing changed). The caller empties `params` after use: entries left there stay reachable.
   */
  advanceInto(snapshot: OwnedSnapshot<C>, event: E, sink: ActionSink): number;
  /** initial() that writes the snapshot into `into` and the actions into `sink` (as advanceInto); gives how many. */
  initialInto(input: I, into: OwnedSnapshot<C>, sink: ActionSink): number;
  /**
   * step() that writes the next snapshot into `into` (the given snapshot and its context are left as they were) and
   * the actions into `sink` (as advanceInto); gives how many, or -1 when the event enables no transition (`into` is
   * then left as it was).
   */
  stepInto(snapshot: FlatSnapshot<C>, event: E, into: OwnedSnapshot<C>, sink: ActionSink): number;
}

/** Where advanceInto() writes a step's executed actions: parallel arrays, reused by their owner from step to step. */
export interface ActionSink {
  readonly types: string[];
  readonly params: unknown[];
}

/** A snapshot its holder alone keeps: a stepper's advance() changes it in place. */
export interface OwnedSnapshot<C = unknown> {
  value: string;
  context: C;
  status: 'active' | 'done';
}

/* XState's StateNode and action objects are typed as internals; this module reads only their documented shape
   (transitions, entry, exit, target, reenter, implementations) and the builtin action markers. */
interface ActionRef {
  readonly type?: string;
  readonly params?: unknown;
  readonly assignment?: unknown;
  readonly event?: { type: string };
  readonly id?: string;
  readonly delay?: string | number;
  readonly sendId?: string;
}
type Action = string | ActionRef;
interface Transition {
  readonly target?: readonly Node[];
  readonly actions: readonly Action[];
  readonly reenter?: boolean;
  readonly guard?: unknown;
}
interface Node {
  readonly key: string;
  readonly type: string;
  readonly parent?: Node;
  readonly states: Record<string, Node>;
  readonly entry: readonly Action[];
  readonly exit: readonly Action[];
  readonly transitions: Map<string, readonly Transition[]>;
  readonly always?: readonly unknown[];
  readonly invoke?: readonly unknown[];
  readonly initial?: { readonly target: readonly Node[]; readonly actions: readonly Action[] };
}
interface Args {
  context: Record<string, unknown>;
  event: { type: string };
  /**
   * The step's own context, which assignments may change in place: the one the first assignment of the step copied,
   * or the caller's when it owns it (advance). Undefined until then: the caller's context is never changed.
   */
  writable: Record<string, unknown> | undefined;
}
type Implementations = {
  actions: Record<string, ActionRef | ((args: Args, params: unknown) => void)>;
  delays: Record<string, number | ((args: Args) => number)>;
};

/** What one event does in one leaf state, planned once: the actions to run in order, and the leaf it ends in. */
interface Move {
  readonly exit: readonly Action[];
  readonly actions: readonly Action[];
  readonly entry: readonly Action[];
  readonly next: Node;
}

/**
 * An action resolved once, when the machine is compiled: its reference (a string action as `{ type }`), for a
 * named one its implementation, and when what it executes depends on nothing in the step (fixed params, a cancel,
 * a raise with a fixed delay) that action itself. Stepping then allocates nothing per action but what the action
 * itself produces.
 */
interface Prepared {
  readonly ref: ActionRef;
  readonly named: ActionRef | ((args: Args, params: unknown) => void) | undefined;
  readonly fixed: ExecutableAction | undefined;
}

/** What a step without actions gives back (frozen: shared by every such step). */
const NO_ACTIONS: readonly ExecutableAction[] = Object.freeze([]);
/** The event of a machine's initial step, as XState names it. */
const INIT_EVENT = Object.freeze({ type: 'xstate.init' });
/** The context of an Args object between steps: it holds no machine's context. */
const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** A Move with its actions prepared, all three lists in the order they run. */
interface PreparedMove {
  readonly actions: readonly Prepared[];
  readonly next: Node;
  /** How many actions it executes: every action but an assignment executes exactly one. */
  readonly outputs: number;
  /** What it executes when every one of those is fixed (shared by every such step), else undefined. */
  readonly fixedOut: readonly ExecutableAction[] | undefined;
}

/** The compiled stepper, or undefined when the machine uses a feature this interpreter does not implement. */
export function compileMachine<C, E extends { type: string }, I>(machine: AnyStateMachine): FlatStepper<C, E, I> | undefined {
  const root = machine.root as unknown as Node;
  const leaves = leavesOf(root);
  const initialNode = root.initial?.target[0];
  if (leaves === undefined || initialNode === undefined) return undefined;
  const impl = machine.implementations as unknown as Implementations;
  const contextFactory = (machine.config as { context?: unknown }).context;
  const prepare = (move: Move): PreparedMove => {
    const actions = [...move.exit, ...move.actions, ...move.entry].map((action) => prepared(action, impl));
    const executed = actions.filter((a) => !isAssignment(a));
    const fixed = executed.every((a) => a.fixed !== undefined) ? Object.freeze(executed.map((a) => a.fixed!)) : undefined;
    return { actions, next: move.next, outputs: executed.length, fixedOut: executed.length === 0 ? NO_ACTIONS : fixed };
  };
  const moves = new Map<string, Map<string, PreparedMove>>();
  for (const [leaf, byEvent] of movesOf(root, leaves)) {
    moves.set(leaf, new Map([...byEvent].map(([event, move]) => [event, prepare(move)])));
  }
  const start = prepare({ exit: [], actions: [], ...entering(root, initialNode) });

  /** Runs a move's actions; what they execute goes into an array of its exact size (no growing), or is shared. */
  const run = (move: PreparedMove, args: Args): readonly ExecutableAction[] => {
    const actions = move.actions;
    const out = move.fixedOut === undefined ? new Array<ExecutableAction>(move.outputs) : undefined;
    let at = 0;
    for (let i = 0; i < actions.length; i++) {
      const executed = execute(actions[i]!, args, impl);
      if (executed !== undefined && out !== undefined) out[at++] = executed;
    }
    return out ?? move.fixedOut!;
  };

  /**
   * One Args object serves every step (a step runs to its end before the next; the machine's functions read their
   * args and keep nothing), and is emptied after it; a step inside a step (none does) would get one of its own.
   */
  let spare: Args | undefined = { context: EMPTY, event: INIT_EVENT, writable: undefined };
  /** The context after the last move, until its caller takes it (takeContext). */
  let after: Record<string, unknown> = EMPTY;
  const takeContext = (): Record<string, unknown> => {
    const context = after;
    after = EMPTY;
    return context;
  };
  /** The spare Args (a new one for a step inside a step), set for a step; `giveBack` empties it after. */
  const borrow = (context: Record<string, unknown>, event: { type: string }, writable: Args['writable']): Args => {
    const args = spare ?? { context, event, writable };
    spare = undefined;
    args.context = context;
    args.event = event;
    args.writable = writable;
    return args;
  };
  const giveBack = (args: Args): void => {
    args.context = EMPTY;
    args.event = INIT_EVENT;
    args.writable = undefined;
    spare = args;
  };

  /** Runs `move` from `context`; gives the actions (the context after the move waits in `after`). */
  const stepWith = (move: PreparedMove, context: Record<string, unknown>, event: { type: string }, writable: Args['writable']): readonly ExecutableAction[] => {
    const args = borrow(context, event, writable);
    try {
      const out = run(move, args);
      after = args.context;
      return out;
    } finally {
      giveBack(args);
    }
  };

  /** As stepWith, with what the move executes written into `sink`; gives how many. */
  const stepInto = (move: PreparedMove, context: Record<string, unknown>, event: { type: string }, writable: Args['writable'], sink: ActionSink): number => {
    const args = borrow(context, event, writable);
    try {
      const actions = move.actions;
      let count = 0;
      for (let i = 0; i < actions.length; i++) {
        if (!executeParts(actions[i]!, args, impl)) continue;
        sink.types[count] = partType;
        sink.params[count++] = partParams;
      }
      after = args.context;
      return count;
    } finally {
      giveBack(args);
    }
  };

  /**
   * The last (state, event type) looked up and its move: a receive batch steps many machines through the same move
   * in a row (every DISCOVER: idle, then offering), and two string compares cost less than two Map probes.
   */
  let lastValue: string | undefined;
  let lastType: string | undefined;
  let lastMove: PreparedMove | undefined;
  const moveFor = (snapshot: FlatSnapshot<C>, event: E): PreparedMove | undefined => {
    if (snapshot.status !== 'active') return undefined;
    const value = snapshot.value;
    const type = event.type;
    if (value === lastValue && type === lastType) return lastMove;
    const move = moves.get(value)?.get(type);
    lastValue = value;
    lastType = type;
    lastMove = move;
    return move;
  };

  const initialContext = (input: I): Record<string, unknown> =>
    (typeof contextFactory === 'function' ? contextFactory({ input }) : { ...(contextFactory as object) }) as Record<string, unknown>;
  /** The move's end into `into`: the context the move left, its leaf and status. */
  const land = (move: PreparedMove, into: OwnedSnapshot<C>): void => {
    into.context = takeContext() as C;
    into.value = move.next.key;
    into.status = move.next.type === 'final' ? 'done' : 'active';
  };

  return {
    initial(input) {
      const context = initialContext(input);
      // A context just made is the step's own.
      const out = stepWith(start, context, INIT_EVENT, context);
      return [snapshotOf(start.next, takeContext()) as FlatSnapshot<C>, out];
    },
    initialInto(input, into, sink) {
      const context = initialContext(input);
      const count = stepInto(start, context, INIT_EVENT, context, sink);
      land(start, into);
      return count;
    },
    stepInto(snapshot, event, into, sink) {
      const move = moveFor(snapshot, event);
      if (move === undefined) return -1;
      const count = stepInto(move, snapshot.context as Record<string, unknown>, event, undefined, sink);
      land(move, into);
      return count;
    },
    step(snapshot, event) {
      const move = moveFor(snapshot, event);
      if (move === undefined) return [snapshot, NO_ACTIONS];
      const out = stepWith(move, snapshot.context as Record<string, unknown>, event, undefined);
      return [snapshotOf(move.next, takeContext()) as FlatSnapshot<C>, out];
    },
    advance(snapshot, event) {
      const move = moveFor(snapshot, event);
      if (move === undefined) return undefined;
      const context = snapshot.context as Record<string, unknown>;
      const out = stepWith(move, context, event, context);
      snapshot.context = takeContext() as C;
      snapshot.value = move.next.key;
      snapshot.status = move.next.type === 'final' ? 'done' : 'active';
      return out;
    },
    advanceInto(snapshot, event, sink) {
      const move = moveFor(snapshot, event);
      if (move === undefined) return -1;
      const context = snapshot.context as Record<string, unknown>;
      const count = stepInto(move, context, event, context, sink);
      land(move, snapshot);
      return count;
    },
  };
}

/**
 * Each leaf's moves by event type, as XState selects them: the leaf's own transition first, else its parent's.
 * A move exits every active state inside the transition's domain (innermost first) and enters down to the target.
 */
function movesOf(root: Node, leaves: ReadonlyMap<string, Node>): Map<string, Map<string, Move>> {
  const moves = new Map<string, Map<string, Move>>();
  for (const [key, leaf] of leaves) {
    const byEvent = new Map<string, Move>();
    const sources = leaf.parent === root ? [leaf] : [leaf.parent!, leaf];
    for (const source of sources) {
      for (const [event, [transition]] of source.transitions) byEvent.set(event, moveOf(root, leaf, source, transition!));
    }
    moves.set(key, byEvent);
  }
  return moves;
}

function moveOf(root: Node, leaf: Node, source: Node, transition: Transition): Move {
  const target = transition.target?.[0];
  if (target === undefined) return { exit: [], actions: transition.actions, entry: [], next: leaf };
  const domain = domainOf(source, target, transition.reenter === true);
  const exit: Action[] = [];
  for (let node: Node = leaf; node !== root && node !== domain; node = node.parent!) exit.push(...node.exit);
  return { exit, actions: transition.actions, ...entering(domain, target) };
}

/** Entering `target` from just below `domain`: ancestors first, then a compound target's initial child. */
function entering(domain: Node, target: Node): { entry: Action[]; next: Node } {
  const entry: Action[] = [];
  if (target !== domain && target.parent !== domain && target.parent !== undefined) entry.push(...target.parent.entry);
  if (target !== domain) entry.push(...target.entry);
  const child = target.initial?.target[0];
  if (child === undefined) return { entry, next: target };
  entry.push(...child.entry);
  return { entry, next: child };
}

/**
 * XState's transition domain: the source itself for a transition to itself or below it that does not re-enter,
 * else the nearest ancestor of the target that holds the source.
 */
function domainOf(source: Node, target: Node, reenter: boolean): Node {
  if (!reenter && (target === source || target.parent === source)) return source;
  let ancestor = target.parent!;
  while (ancestor.parent !== undefined && !isBelow(source, ancestor)) ancestor = ancestor.parent;
  return ancestor;
}

function isBelow(node: Node, ancestor: Node): boolean {
  for (let up = node.parent; up !== undefined; up = up.parent) if (up === ancestor) return true;
  return false;
}

/** Every leaf state by its key, or undefined when the machine is deeper, uses an unsupported feature, or two leaves share a key. */
function leavesOf(root: Node): Map<string, Node> | undefined {
  if (root.transitions.size > 0 || root.entry.length > 0 || root.exit.length > 0 || !isPlain(root)) return undefined;
  const leaves = new Map<string, Node>();
  const add = (node: Node): boolean => !leaves.has(node.key) && leaves.set(node.key, node) !== undefined;
  for (const node of Object.values(root.states)) {
    if (!isPlain(node)) return undefined;
    const children = Object.values(node.states);
    if (children.length === 0) {
      if (!add(node)) return undefined;
      continue;
    }
    // A parent: compound, entered without actions of its own, over atomic children (a final child would raise a
    // done event XState processes inside the step).
    if (node.type !== 'compound' || (node.initial?.actions.length ?? 0) > 0) return undefined;
    for (const child of children) {
      if (!isPlain(child) || child.type !== 'atomic' || !add(child)) return undefined;
    }
  }
  return leaves;
}

/** No `always`, `invoke`, guards, wildcard events or multiple targets: each event has one transition. */
function isPlain(node: Node): boolean {
  if ((node.always?.length ?? 0) > 0 || (node.invoke?.length ?? 0) > 0) return false;
  if (node.type === 'parallel' || node.type === 'history') return false;
  for (const [event, transitions] of node.transitions) {
    if (event.includes('*') || transitions.length !== 1 || transitions[0]!.guard !== undefined) return false;
    if ((transitions[0]!.target?.length ?? 0) > 1) return false;
  }
  return true;
}

function snapshotOf(node: Node, context: Record<string, unknown>): FlatSnapshot {
  return { value: node.key, context, status: node.type === 'final' ? 'done' : 'active' };
}

function prepared(action: Action, impl: Implementations): Prepared {
  const ref: ActionRef = typeof action === 'string' ? { type: action } : action;
  const named = ref.type === undefined ? undefined : impl.actions[ref.type];
  return { ref, named, fixed: fixedAction(ref, named, impl) };
}

/** The action executed, when nothing in it depends on the step's context or event; else undefined. */
function fixedAction(ref: ActionRef, named: Prepared['named'], impl: Implementations): ExecutableAction | undefined {
  switch (ref.type) {
    case 'xstate.raise': {
      const delay = ref.delay;
      if (typeof delay === 'string' && typeof impl.delays[delay] === 'function') return undefined;
      const resolved = delay === undefined || typeof delay === 'number' ? delay : (impl.delays[delay] as number | undefined);
      return { type: 'xstate.raise', params: { event: ref.event, id: ref.id, delay: resolved } };
    }
    case 'xstate.cancel':
      return { type: 'xstate.cancel', params: { sendId: ref.sendId } };
    case 'xstate.assign':
    case undefined:
      return undefined;
  }
  if (typeof ref.params === 'function' || isAssign(named)) return undefined;
  return ref.params === undefined ? { type: ref.type } : { type: ref.type, params: ref.params };
}

function isAssign(named: Prepared['named']): boolean {
  return named !== undefined && typeof named === 'function' && (named as ActionRef).type === 'xstate.assign';
}

/** An assignment changes the context and executes nothing. */
function isAssignment(action: Prepared): boolean {
  return action.ref.type === 'xstate.assign' || isAssign(action.named);
}

/** Runs one action: an assignment changes `args.context` and gives undefined; any other gives what it executes. */
function execute(action: Prepared, args: Args, impl: Implementations): ExecutableAction | undefined {
  if (action.fixed !== undefined) return action.fixed;
  if (!executeParts(action, args, impl)) return undefined;
  return partParams === undefined ? { type: partType } : { type: partType, params: partParams };
}

/** What the last executeParts() executed (read at once by its caller; nothing runs in between). */
let partType = '';
let partParams: unknown;

/**
 * execute() without the action object: an assignment changes `args.context` and gives false; any other gives true,
 * with the type and params it executes in `partType` and `partParams`. The one place actions are executed.
 */
function executeParts(action: Prepared, args: Args, impl: Implementations): boolean {
  const fixed = action.fixed;
  if (fixed !== undefined) {
    partType = fixed.type;
    partParams = fixed.params;
    return true;
  }
  const ref = action.ref;
  switch (ref.type) {
    case 'xstate.raise':
      partType = 'xstate.raise';
      partParams = { event: ref.event, id: ref.id, delay: resolveDelay(ref.delay, args, impl) };
      return true;
    case 'xstate.assign':
      assign(ref, args, undefined);
      return false;
  }
  const params = typeof ref.params === 'function' ? (ref.params as (a: Args) => unknown)(args) : ref.params;
  const named = action.named;
  if (isAssign(named)) {
    assign(named as ActionRef, args, params);
    return false;
  }
  if (ref.type === undefined) throw new TypeError('inline action functions are not supported by the compiled interpreter');
  partType = ref.type;
  partParams = params;
  return true;
}

function assign(ref: ActionRef, args: Args, params: unknown): void {
  const assignment = ref.assignment;
  let partial: Record<string, unknown>;
  if (typeof assignment === 'function') {
    partial = (assignment as (a: Args, p: unknown) => Record<string, unknown>)(args, params);
  } else {
    partial = {};
    for (const [key, value] of Object.entries(assignment as Record<string, unknown>)) {
      partial[key] = typeof value === 'function' ? (value as (a: Args, p: unknown) => unknown)(args, params) : value;
    }
  }
  // One copy per step at most: later assignments of the step change the copy it made (or the owned context).
  if (args.writable === args.context) {
    Object.assign(args.context, partial);
  } else {
    // A clone by spread keeps the context's own layout (its fields in the object, one allocation), then the
    // assignment changes it in place. Only when the assignment adds no field: a clone given a new field took V8's
    // slow path (~6 µs); then the copy is built up from an empty object (fields outside the object, grown in steps).
    const copy = addsNoField(args.context, partial) ? Object.assign({ ...args.context }, partial) : Object.assign({}, args.context, partial);
    args.context = copy;
    args.writable = copy;
  }
}

/** Whether every field the assignment sets is already one of the context's own. */
function addsNoField(context: Record<string, unknown>, partial: Record<string, unknown>): boolean {
  for (const key in partial) if (!Object.hasOwn(context, key)) return false;
  return true;
}

function resolveDelay(delay: string | number | undefined, args: Args, impl: Implementations): number | undefined {
  if (delay === undefined || typeof delay === 'number') return delay;
  const configured = impl.delays[delay];
  return typeof configured === 'function' ? configured(args) : configured;
}
