// Pure steps of a machine without a live actor (passivation). Flat machines run on the compiled interpreter
// (flat-machine.ts); anything else on XState's own transition with one reusable inert actor scope — XState's
// `transition()` builds a fresh scope (an Actor computing a whole initial snapshot) on every call.
import { createActor, type AnyStateMachine } from 'xstate';
import { compileFlatMachine, type ExecutableAction, type FlatSnapshot, type FlatStepper } from './flat-machine.js';

export type { ExecutableAction, FlatSnapshot, FlatStepper };

export function createStepper<C, E extends { type: string }, I>(machine: AnyStateMachine, sampleInput: I): FlatStepper<C, E, I> {
  return compileFlatMachine<C, E, I>(machine) ?? createXStateStepper<C, E, I>(machine, sampleInput);
}

/** XState's own semantics; the reference the compiled interpreter is tested against. */
export function createXStateStepper<C, E extends { type: string }, I>(machine: AnyStateMachine, sampleInput: I): FlatStepper<C, E, I> {
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
  return {
    initial: (input) => [machine.getInitialSnapshot(anyScope, input) as FlatSnapshot<C>, take()],
    step: (snapshot, event) => {
      const resolved = 'machine' in snapshot ? snapshot : machine.resolveState({ value: snapshot.value, context: snapshot.context as never });
      const next = machine.transition(resolved as never, event as never, anyScope) as FlatSnapshot<C>;
      return [next === resolved ? snapshot : next, take()];
    },
  };
}
