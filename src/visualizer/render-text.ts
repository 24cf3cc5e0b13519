// Text diagrams of a statechart: mermaid (stateDiagram-v2, for Markdown) and Graphviz dot.
import type { ChartState, Statechart } from './statechart.js';

const mermaidId = (id: string): string => id.replace(/\./g, '_');

export function toMermaid(chart: Statechart): string {
  const lines = ['stateDiagram-v2'];
  const children = childrenOf(chart);
  const write = (parent: string | undefined, indent: string): void => {
    for (const state of children.get(parent) ?? []) {
      if (state.label !== mermaidId(state.id)) lines.push(`${indent}state "${state.label}" as ${mermaidId(state.id)}`);
      if (state.initial) lines.push(`${indent}[*] --> ${mermaidId(state.id)}`);
      if (state.compound) {
        lines.push(`${indent}state ${mermaidId(state.id)} {`);
        write(state.id, `${indent}  `);
        lines.push(`${indent}}`);
      }
    }
  };
  write(undefined, '  ');
  for (const edge of chart.edges) {
    lines.push(`  ${mermaidId(edge.from)} --> ${mermaidId(edge.to)} : ${edge.label.split('\n').join(', ')}`);
  }
  for (const state of chart.states) if (state.final) lines.push(`  ${mermaidId(state.id)} --> [*]`);
  return `${lines.join('\n')}\n`;
}

const dotId = (id: string): string => JSON.stringify(id);
const dotText = (text: string): string => JSON.stringify(text).replace(/\\n/g, '\\n');

export function toDot(chart: Statechart): string {
  const lines = [`digraph ${dotId(chart.machine)} {`, '  rankdir=LR; compound=true;', '  node [shape=box, style=rounded, fontname="sans-serif"];', '  edge [fontname="sans-serif", fontsize=10];'];
  const children = childrenOf(chart);
  /** A compound state is drawn as a cluster; arrows to or from it attach to its first child. */
  const anchor = (id: string): string => (children.get(id)?.[0] === undefined ? id : anchor(children.get(id)![0]!.id));
  const write = (parent: string | undefined, indent: string): void => {
    for (const state of children.get(parent) ?? []) {
      if (state.compound) {
        lines.push(`${indent}subgraph ${dotId(`cluster_${state.id}`)} {`, `${indent}  label=${dotText(state.label)}; style=rounded;`);
        write(state.id, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}${dotId(state.id)} [label=${dotText(state.label)}${state.final ? ', peripheries=2' : ''}];`);
      }
      if (state.initial) {
        const start = `__start_${state.id}`;
        lines.push(`${indent}${dotId(start)} [shape=point, width=0.12];`, `${indent}${dotId(start)} -> ${dotId(anchor(state.id))};`);
      }
    }
  };
  write(undefined, '  ');
  for (const edge of chart.edges) {
    const attrs = [`label=${dotText(edge.label)}`];
    if (children.has(edge.from)) attrs.push(`ltail=${dotId(`cluster_${edge.from}`)}`);
    if (children.has(edge.to)) attrs.push(`lhead=${dotId(`cluster_${edge.to}`)}`);
    lines.push(`  ${dotId(anchor(edge.from))} -> ${dotId(anchor(edge.to))} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function childrenOf(chart: Statechart): Map<string | undefined, ChartState[]> {
  const children = new Map<string | undefined, ChartState[]>();
  for (const state of chart.states) {
    const list = children.get(state.parent) ?? [];
    list.push(state);
    children.set(state.parent, list);
  }
  return children;
}
