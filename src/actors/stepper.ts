// Pure steps of a machine without a live actor (passivation). Machines the compiled interpreter supports run on it
// (compiled-machine.ts); anything else on XState's own transition with one reusable inert actor scope — XState's
// `transition()` builds a fresh scope (an Actor computing a whole initial snapshot) on every call.
import { createActor, type AnyStateMachine, type StateValue } from 'xstate';
import { compileMachine, type ActionSink, type ExecutableAction, type FlatSnapshot, type FlatStepper, type OwnedSnapshot } from './compiled-machine.js';

export type { ActionSink, ExecutableAction, FlatSnapshot, FlatStepper, OwnedSnapshot };

export function createStepper<C, E extends { type: string }, I>(machine: AnyStateMachine, sampleInput: I): FlatStepper<C, E, I> {
  return compileMachine<C, E, I>(machine) ?? createXStateStepper<C, E, I>(machine, sampleInput);
}

/** The active leaf state's key: "bound" for `{ leased: 'bound' }`. Machines without parallel states have one. */
export function leafOf(value: StateValue): string {
  let v: StateValue = value;
  while (typeof v !== 'string') {
    const keys = Object.keys(v);
    if (keys.length !== 1) throw new TypeError('a parallel state has no single leaf');
    v = v[keys[0]!] as StateValue;
  }
  return v;
}

/**
 * XState's own semantics; the reference the compiled interpreter is tested against. States are named by their
 * leaf key, as the compiled interpreter names them, so the machine's leaf keys must be unique.
 */
export function createXStateStepper<C, E extends { type: string }, I>(machine: AnyStateMachine, sampleInput: I): FlatStepper<C, E, I> {
  const valueOf = stateValues(machine);
  let collected: ExecutableAction[] = [];
  const self = createActor(machine, { input: sampleInput } as never);
  const scope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    defer: () => {},
    logger: () => {},
    stopChild: () => {},
    emit: () => {},
    actionExecutor: (action: ExecutableAction) => {
      collected.push({ type: action.type, ...(action.params !== undefined ? { params: action.params } : {}) });
    },
  };
  // The scope's shape is XState's ActorScope; its type is internal to the library.
  const anyScope = scope as never;
  const take = (): ExecutableAction[] => {
    const actions = collected;
    collected = [];
    return actions;
  };
  /** XState's snapshot, named by its leaf; it keeps XState's own fields, so it can be stepped again as it is. */
  const flat = (snapshot: { value: StateValue }): FlatSnapshot<C> => ({ ...snapshot, value: leafOf(snapshot.value) }) as unknown as FlatSnapshot<C>;
  const step: FlatStepper<C, E, I>['step'] = (snapshot, event) => {
    const resolved = 'machine' in snapshot
      ? { ...snapshot, value: valueOf.get(snapshot.value) }
      : machine.resolveState({ value: valueOf.get(snapshot.value) ?? snapshot.value, context: snapshot.context as never });
    const next = machine.transition(resolved as never, event as never, anyScope) as { value: StateValue };
    return [next === resolved ? snapshot : flat(next), take()];
  };
  const advance: FlatStepper<C, E, I>['advance'] = (snapshot, event) => {
    const [next, actions] = step(snapshot, event);
    if (next === snapshot) return undefined;
    snapshot.value = next.value;
    snapshot.context = next.context;
    snapshot.status = next.status;
    return actions;
  };
  return {
    initial: (input) => [flat(machine.getInitialSnapshot(anyScope, input)), take()],
    step,
    advance,
    advanceInto: (snapshot, event, sink) => {
      const actions = advance(snapshot, event);
      return actions === undefined ? -1 : intoSink(actions, sink);
    },
    initialInto: (input, into, sink) => {
      const first = flat(machine.getInitialSnapshot(anyScope, input));
      const actions = take();
      into.value = first.value;
      into.context = first.context;
      into.status = first.status;
      return intoSink(actions, sink);
    },
    stepInto: (snapshot, event, into, sink) => {
      const [next, actions] = step(snapshot, event);
      if (next === snapshot) return -1;
      into.value = next.value;
      into.context = next.context;
      into.status = next.status;
      return intoSink(actions, sink);
    },
  };
}

/** Writes the actions into the sink (as the compiled stepper's *Into methods do); gives how many. */
function intoSink(actions: readonly ExecutableAction[], sink: ActionSink): number {
  for (let i = 0; i < actions.length; i++) {
    sink.types[i] = actions[i]!.type;
    sink.params[i] = actions[i]!.params;
  }
  return actions.length;
}

/** Each leaf state's full value, by its key: "bound" → `{ leased: 'bound' }`. */
function stateValues(machine: AnyStateMachine): Map<string, StateValue> {
  const values = new Map<string, StateValue>();
  const visit = (node: AnyStateMachine['root'], wrap: (leaf: string) => StateValue): void => {
    for (const [key, child] of Object.entries(node.states)) {
      if (Object.keys(child.states).length === 0) {
        if (values.has(key)) throw new TypeError(`state key "${key}" is not unique: steppers name states by their leaf`);
        values.set(key, wrap(key));
      } else {
        visit(child, (leaf) => wrap({ [key]: leaf } as never));
      }
    }
  };
  visit(machine.root, (leaf) => leaf);
  return values;
}
