// A statechart as a standalone SVG, laid out by elkjs (layered, left to right; in a worker thread) on the server: no browser or
// network needed. Every state is a <g class="state" data-state="…"> with an empty count badge, so the /ui page
// can write live counts into it and highlight a lease's state.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { layoutInWorker } from './elk-worker.js';
import { childrenOf } from './render-text.js';
import type { Statechart } from './statechart.js';
import { precomputedLayout } from './statechart-layouts.js';

const CHAR_W = 7.2;
const FONT = 12;
const STATE_H = 40;
const LABEL_FONT = 10;
const START = '__start';

const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function labelSize(text: string, font: number): { width: number; height: number } {
  const lines = text.split('\n');
  return { width: Math.max(...lines.map((l) => l.length)) * font * 0.6 + 4, height: lines.length * (font + 2) };
}

/** The ELK graph: compound states are nodes with children; a point marks each initial state. */
export function elkGraph(chart: Statechart): ElkNode {
  const children = childrenOf(chart);
  const nodeOf = (parent: string | undefined): ElkNode[] =>
    (children.get(parent) ?? []).flatMap((state) => {
      const node: ElkNode = state.compound
        ? { id: state.id, labels: [{ text: state.label, width: state.label.length * CHAR_W, height: FONT + 4 }], children: nodeOf(state.id),
            layoutOptions: { 'elk.padding': '[top=28,left=12,bottom=12,right=12]', 'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT' } }
        : { id: state.id, width: Math.max(90, state.label.length * CHAR_W + 44), height: STATE_H };
      return state.initial ? [{ id: `${START}:${state.id}`, width: 10, height: 10 }, node] : [node];
    });
  const edges: ElkExtendedEdge[] = chart.edges.map((edge, i) => ({
    id: `e${i}`, sources: [edge.from], targets: [edge.to],
    labels: [{ text: edge.label, ...labelSize(edge.label, LABEL_FONT) }],
  }));
  for (const state of chart.states) {
    if (state.initial) edges.push({ id: `${START}-edge:${state.id}`, sources: [`${START}:${state.id}`], targets: [state.id] });
  }
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60', 'elk.spacing.nodeNode': '30', 'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false', 'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES', 'elk.json.edgeCoords': 'ROOT', 'elk.json.shapeCoords': 'ROOT',
    },
    children: nodeOf(undefined),
    edges,
  };
}

/**
 * The chart's layout: the one computed ahead for this very graph when there is one (no ELK at run time), else ELK's
 * in a worker (a machine changed since `scripts/gen-diagrams.ts` last ran).
 */
export function layoutStatechart(chart: Statechart): Promise<ElkNode> {
  const graph = elkGraph(chart);
  const ahead = precomputedLayout(graph);
  return ahead === undefined ? layoutInWorker(graph) : Promise.resolve(ahead);
}

/** ELK's layout of the chart now, never one computed ahead (what scripts/gen-diagrams.ts keeps). */
export function freshLayout(chart: Statechart): Promise<ElkNode> {
  return layoutInWorker(elkGraph(chart));
}

export async function toSvg(chart: Statechart): Promise<string> {
  return svgOf(chart, await layoutStatechart(chart));
}

/** The chart drawn at the positions of `laid` (its layout). */
export function svgOf(chart: Statechart, laid: ElkNode): string {
  const byId = new Map(chart.states.map((s) => [s.id, s]));
  const parts: string[] = [];
  const drawNode = (node: ElkNode): void => {
    const x = node.x ?? 0;
    const y = node.y ?? 0;
    const w = node.width ?? 0;
    const h = node.height ?? 0;
    if (node.id.startsWith(`${START}:`)) {
      parts.push(`<circle class="initial" cx="${x + w / 2}" cy="${y + h / 2}" r="5"/>`);
      return;
    }
    const state = byId.get(node.id);
    if (state === undefined) return;
    const attrs = `class="state${state.final ? ' final' : ''}${state.compound ? ' compound' : ''}" data-state="${escapeXml(state.id)}"`;
    parts.push(`<g ${attrs}>`, `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="10"/>`);
    if (state.final) parts.push(`<rect class="inner" x="${x + 3}" y="${y + 3}" width="${w - 6}" height="${h - 6}" rx="8"/>`);
    if (state.compound) {
      parts.push(`<text class="name" x="${x + 10}" y="${y + 18}">${escapeXml(state.label)}</text>`);
      parts.push(`<text class="count" x="${x + w - 10}" y="${y + 18}" text-anchor="end" data-count-for="${escapeXml(state.id)}"></text>`);
    } else {
      parts.push(`<text class="name" x="${x + 12}" y="${y + h / 2 + 4}">${escapeXml(state.label)}</text>`);
      parts.push(`<text class="count" x="${x + w - 10}" y="${y + h / 2 + 4}" text-anchor="end" data-count-for="${escapeXml(state.id)}"></text>`);
    }
    parts.push('</g>');
    for (const child of node.children ?? []) drawNode(child);
  };
  for (const node of laid.children ?? []) drawNode(node);
  for (const edge of (laid.edges ?? []) as ElkExtendedEdge[]) {
    for (const section of edge.sections ?? []) {
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      parts.push(`<path class="edge" d="M${points.map((p) => `${p.x},${p.y}`).join(' L')}" marker-end="url(#arrow-${chart.machine})"/>`);
    }
    for (const label of edge.labels ?? []) {
      const lines = (label.text ?? '').split('\n');
      lines.forEach((line, i) => {
        parts.push(`<text class="edge-label" x="${(label.x ?? 0) + 2}" y="${(label.y ?? 0) + (i + 1) * (LABEL_FONT + 2) - 2}">${escapeXml(line)}</text>`);
      });
    }
  }
  const width = Math.ceil((laid.width ?? 0) + 2);
  const height = Math.ceil((laid.height ?? 0) + 2);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" data-machine="${escapeXml(chart.machine)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<defs><marker id="arrow-${chart.machine}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`,
    `<style>${SVG_STYLE}</style>`,
    ...parts,
    '</svg>',
  ].join('\n') + '\n';
}

const SVG_STYLE = [
  '.state rect{fill:#f4f6fb;stroke:#3b4a6b;stroke-width:1.4}',
  '.state.compound>rect{fill:none;stroke-dasharray:4 3}',
  '.state .inner{fill:none}',
  'text{font-family:sans-serif}',
  '.name{font-size:12px;fill:#1d2433}',
  '.count{font-size:12px;font-weight:bold;fill:#2458c6}',
  '.edge{fill:none;stroke:#6b7896;stroke-width:1.2}',
  '.edge-label{font-size:10px;fill:#4a5570}',
  '.initial{fill:#1d2433}',
  'marker path{fill:#6b7896}',
].join('');
