// A compiled interpreter for flat XState machines (no nesting, guards, `always` or `invoke` — the lease and the
// transaction machines): the same definition, stepped in about a microsecond instead of XState's ~10 µs. The
// machine stays the single source of truth; test/unit/actors/flat-machine.test.ts checks that every step equals
// XState's own `transition()` (state, context, status and actions) for generated event sequences.
import type { AnyStateMachine } from 'xstate';

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
  initial(input: I): [FlatSnapshot<C>, ExecutableAction[]];
  /** Returns the very same snapshot when the event enables no transition. */
  step(snapshot: FlatSnapshot<C>, event: E): [FlatSnapshot<C>, ExecutableAction[]];
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
  readonly states: Record<string, Node>;
  readonly entry: readonly Action[];
  readonly exit: readonly Action[];
  readonly transitions: Map<string, readonly Transition[]>;
  readonly always?: readonly unknown[];
  readonly invoke?: readonly unknown[];
}
interface Args {
  context: Record<string, unknown>;
  event: { type: string };
}
type Implementations = {
  actions: Record<string, ActionRef | ((args: Args, params: unknown) => void)>;
  delays: Record<string, number | ((args: Args) => number)>;
};

/** The compiled stepper, or undefined when the machine uses a feature this interpreter does not implement. */
export function compileFlatMachine<C, E extends { type: string }, I>(machine: AnyStateMachine): FlatStepper<C, E, I> | undefined {
  const root = machine.root as unknown as Node & { initial?: { target: readonly Node[] } };
  const nodes = Object.values(root.states);
  if (!nodes.every(isFlat)) return undefined;
  const impl = machine.implementations as unknown as Implementations;
  const initialNode = root.initial?.target[0];
  const contextFactory = (machine.config as { context?: unknown }).context;
  if (initialNode === undefined) return undefined;

  const run = (actions: readonly Action[], args: Args, out: ExecutableAction[]): void => {
    for (const action of actions) execute(action, args, out, impl);
  };

  return {
    initial(input) {
      const context = (typeof contextFactory === 'function' ? contextFactory({ input }) : { ...(contextFactory as object) }) as Record<string, unknown>;
      const args: Args = { context, event: { type: 'xstate.init' } };
      const out: ExecutableAction[] = [];
      run(initialNode.entry, args, out);
      return [snapshotOf(initialNode, args.context) as FlatSnapshot<C>, out];
    },
    step(snapshot, event) {
      const source = root.states[snapshot.value];
      if (source === undefined || snapshot.status !== 'active') return [snapshot, []];
      const transition = source.transitions.get(event.type)?.[0];
      if (transition === undefined) return [snapshot, []];
      const args: Args = { context: snapshot.context as Record<string, unknown>, event };
      const out: ExecutableAction[] = [];
      const target = transition.target?.[0];
      const moves = target !== undefined && (target !== source || transition.reenter === true);
      if (moves) run(source.exit, args, out);
      run(transition.actions, args, out);
      const next = target ?? source;
      if (moves) run(next.entry, args, out);
      return [snapshotOf(next, args.context) as FlatSnapshot<C>, out];
    },
  };
}

function isFlat(node: Node): boolean {
  if (Object.keys(node.states).length > 0 || (node.always?.length ?? 0) > 0 || (node.invoke?.length ?? 0) > 0) return false;
  for (const transitions of node.transitions.values()) {
    if (transitions.length !== 1 || transitions[0]!.guard !== undefined) return false;
    if ((transitions[0]!.target?.length ?? 0) > 1) return false;
  }
  return true;
}

function snapshotOf(node: Node, context: Record<string, unknown>): FlatSnapshot {
  return { value: node.key, context, status: node.type === 'final' ? 'done' : 'active' };
}

function execute(action: Action, args: Args, out: ExecutableAction[], impl: Implementations): void {
  const ref: ActionRef = typeof action === 'string' ? { type: action } : action;
  switch (ref.type) {
    case 'xstate.raise':
      out.push({ type: 'xstate.raise', params: { event: ref.event, id: ref.id, delay: resolveDelay(ref.delay, args, impl) } });
      return;
    case 'xstate.cancel':
      out.push({ type: 'xstate.cancel', params: { sendId: ref.sendId } });
      return;
    case 'xstate.assign':
      assign(ref, args, undefined);
      return;
  }
  const params = typeof ref.params === 'function' ? (ref.params as (a: Args) => unknown)(args) : ref.params;
  const named = ref.type === undefined ? undefined : impl.actions[ref.type];
  if (named !== undefined && typeof named === 'function' && (named as ActionRef).type === 'xstate.assign') {
    assign(named as ActionRef, args, params);
    return;
  }
  if (ref.type === undefined) throw new TypeError('inline action functions are not supported by the flat interpreter');
  out.push(params === undefined ? { type: ref.type } : { type: ref.type, params });
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
  args.context = { ...args.context, ...partial };
}

function resolveDelay(delay: string | number | undefined, args: Args, impl: Implementations): number | undefined {
  if (delay === undefined || typeof delay === 'number') return delay;
  const configured = impl.delays[delay];
  return typeof configured === 'function' ? configured(args) : configured;
}
