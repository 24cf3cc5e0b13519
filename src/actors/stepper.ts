// Pure steps of a machine without a live actor: XState's `transition()` semantics, but with one reusable inert
// actor scope per machine. `transition()` builds a fresh scope (an Actor that computes a whole initial snapshot)
// on every call, which tripled the cost of a lease step; a machine with no spawned children needs none of that.
import { createActor, type AnyStateMachine, type EventFromLogic, type InputFrom, type SnapshotFrom } from 'xstate';

export interface ExecutableAction {
  readonly type: string;
  readonly params?: unknown;
}

export interface Stepper<M extends AnyStateMachine> {
  initial(input: InputFrom<M>): [SnapshotFrom<M>, ExecutableAction[]];
  /** Returns the very same snapshot when the event enables no transition. */
  step(snapshot: SnapshotFrom<M>, event: EventFromLogic<M>): [SnapshotFrom<M>, ExecutableAction[]];
}

export function createStepper<M extends AnyStateMachine>(machine: M, sampleInput: InputFrom<M>): Stepper<M> {
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
      collected.push(action);
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
    initial: (input) => [machine.getInitialSnapshot(anyScope, input) as SnapshotFrom<M>, take()],
    step: (snapshot, event) => [machine.transition(snapshot, event, anyScope) as SnapshotFrom<M>, take()],
  };
}
