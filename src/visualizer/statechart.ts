// A machine's statechart as plain data, walked from the XState definition itself (never drawn by hand): its
// states (nested ones with their parent) and every transition with a label an operator can read. The diagram
// renderers and the /ui page draw this.
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { leaseMachine } from '../../machines/lease.machine.js';
import { serverMachine } from '../../machines/server.machine.js';
import { transactionMachine } from '../../machines/transaction.machine.js';
import { eventName } from '../leases/transition.js';

export interface ChartState {
  /** Dotted path below the root ("bound", "serving.running"). */
  readonly id: string;
  readonly label: string;
  readonly parent?: string;
  readonly final: boolean;
  /** The state entered first, at its level. */
  readonly initial: boolean;
  readonly compound: boolean;
}

export interface ChartEdge {
  readonly from: string;
  readonly to: string;
  /** Its events, one per line: "lease.commit", "timer.T1", "after clientQuiet", "openStore done", "always [escalated]". */
  readonly label: string;
}

export interface Statechart {
  readonly machine: string;
  readonly states: readonly ChartState[];
  readonly edges: readonly ChartEdge[];
}

export const MACHINES = { lease: leaseMachine, transaction: transactionMachine, server: serverMachine } as const;
export type MachineName = keyof typeof MACHINES;
export const MACHINE_NAMES = Object.keys(MACHINES) as MachineName[];

export function statechartOf(name: MachineName): Statechart {
  return chartOf(MACHINES[name]);
}

export function chartOf(machine: AnyStateMachine): Statechart {
  const states: ChartState[] = [];
  const edges: ChartEdge[] = [];
  const pathOf = (node: AnyStateNode): string => node.path.join('.');
  const visit = (node: AnyStateNode, parent: AnyStateNode | undefined): void => {
    const id = pathOf(node);
    const initialKey = parent?.config.initial;
    states.push({
      id,
      label: node.key,
      ...(parent !== undefined && parent !== machine.root ? { parent: pathOf(parent) } : {}),
      final: node.type === 'final',
      initial: initialKey === node.key,
      compound: node.type === 'compound' || node.type === 'parallel',
    });
    const invokes = new Map(node.invoke.map((i) => [i.id, typeof i.src === 'string' ? i.src : i.id]));
    // One edge per pair of states, with every event that takes it (a diagram with one arrow per event is a thicket).
    const byTarget = new Map<string, string[]>();
    const add = (transitions: readonly { target?: readonly AnyStateNode[] | undefined; guard?: unknown; eventType: string }[]): void => {
      for (const t of transitions) {
        const label = labelOf(t.eventType, invokes) + guardText(t.guard);
        for (const target of t.target ?? [node]) {
          const labels = byTarget.get(pathOf(target)) ?? [];
          if (!labels.includes(label)) labels.push(label);
          byTarget.set(pathOf(target), labels);
        }
      }
    };
    for (const transitions of node.transitions.values()) add(transitions);
    add(node.always ?? []);
    for (const [to, labels] of byTarget) edges.push({ from: id, to, label: labels.join('\n') });
    for (const child of Object.values(node.states)) visit(child, node);
  };
  for (const child of Object.values(machine.root.states)) visit(child, machine.root);
  return { machine: machine.id, states, edges };
}

/** Each leaf state's chart id by its key ("bound" → "leased.bound"): lease records name a state by its leaf. */
export function leafIds(machine: AnyStateMachine): ReadonlyMap<string, string> {
  const ids = new Map<string, string>();
  const visit = (node: AnyStateNode): void => {
    const children = Object.values(node.states);
    if (children.length === 0) ids.set(node.key, node.path.join('.'));
    children.forEach(visit);
  };
  visit(machine.root);
  return ids;
}

function labelOf(eventType: string, invokes: ReadonlyMap<string, string>): string {
  const timer = eventName(eventType);
  if (timer !== eventType) return timer;
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after !== null) return `after ${after[1]}`;
  const done = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (done !== null) return `${invokes.get(done[2]!) ?? done[2]} ${done[1] === 'done' ? 'done' : 'failed'}`;
  return eventType === '' ? 'always' : eventType;
}

function guardText(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return ` [${guard}]`;
  if (typeof guard === 'object' && guard !== null && typeof (guard as { type?: unknown }).type === 'string') {
    return ` [${(guard as { type: string }).type}]`;
  }
  return ' [guard]';
}
