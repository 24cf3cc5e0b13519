// The diagrams come from the machine definitions: the lease chart has exactly the owner's diagram's transitions,
// every format names every state, and the docs hold the current drawings.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventName } from '../../../src/leases/transition.js';
import { diagramCommand } from '../../../src/visualizer/commands.js';
import { refreshDiagrams } from '../../../src/visualizer/diagram-docs.js';
import { layoutRunning } from '../../../src/visualizer/elk-worker.js';
import { elkGraph, freshLayout, layoutStatechart, svgOf } from '../../../src/visualizer/render-svg.js';
import { graphDigest, positionsOf, precomputedDigests, precomputedLayout } from '../../../src/visualizer/statechart-layouts.js';
import { toDot, toMermaid } from '../../../src/visualizer/render-text.js';
import { MACHINE_NAMES, statechartOf } from '../../../src/visualizer/statechart.js';
import { LEASE_DIAGRAM } from '../../helpers/lease-diagram.js';

const root = resolve(import.meta.dirname, '../../..');
/** ELK's layouts now (not those computed ahead), each once for the file (ELK is slow to warm up), in one worker. */
const fresh = Promise.all(MACHINE_NAMES.map((name) => freshLayout(statechartOf(name)))).then((list) =>
  Object.fromEntries(MACHINE_NAMES.map((name, i) => [name, list[i]!])));
const svgs = fresh.then((laid) => Object.fromEntries(MACHINE_NAMES.map((name) => [name, svgOf(statechartOf(name), laid[name]!)])));

describe('statecharts from the machine definitions', () => {
  it('the lease chart has exactly the transitions of the owner\'s lease diagram', () => {
    const chart = statechartOf('lease');
    // The diagram's states are the chart's leaves; a parent's edge is drawn once and holds for each of its children.
    const leaf = (id: string) => id.split('.').pop()!;
    const arrows = chart.edges.flatMap((e) => e.label.split('\n').map((label) => ({ from: e.from, label, to: leaf(e.to) })));
    const drawn = arrows.flatMap(({ from, label, to }) => {
      const children = chart.states.filter((s) => s.parent === from).map((s) => s.id);
      if (children.length === 0) return [`${leaf(from)} -${label}-> ${to}`];
      const overridden = (child: string) => arrows.some((a) => a.from === child && a.label === label);
      return children.filter((c) => !overridden(c)).map((c) => `${leaf(c)} -${label}-> ${to}`);
    }).sort();
    const expected = Object.entries(LEASE_DIAGRAM)
      .flatMap(([from, events]) => Object.entries(events).map(([event, to]) => `${from} -${eventName(event)}-> ${to}`))
      .sort();
    expect(drawn).toEqual(expected);
    expect(chart.states.filter((s) => s.final).map((s) => s.id).sort()).toEqual(['reclaimed', 'released']);
    expect(chart.states.filter((s) => s.initial).map((s) => s.id)).toEqual(['offered', 'leased.bound']);
    expect(chart.states.filter((s) => s.parent === 'leased').map((s) => s.id)).toEqual(['leased.bound', 'leased.renewing', 'leased.rebinding']);
  });

  it('the server chart nests serving.running, serving.reloading and serving.quiescing and shows guards and invocations', () => {
    const chart = statechartOf('server');
    expect(chart.states.filter((s) => s.parent === 'serving').map((s) => s.id)).toEqual(['serving.running', 'serving.reloading', 'serving.quiescing']);
    expect(chart.edges).toContainEqual({ from: 'failing', to: 'failed', label: 'always [escalated]' });
    expect(chart.edges).toContainEqual({ from: 'failing', to: 'recovering', label: 'always' });
    expect(chart.edges).toContainEqual({ from: 'openingStore', to: 'rehydrating', label: 'openStore done' });
    expect(chart.edges).toContainEqual({ from: 'serving.quiescing', to: 'draining', label: 'quiesce done\nquiesce failed' });
  });

  it.each(MACHINE_NAMES)('every format of the %s machine names every state and edge', async (name) => {
    const chart = statechartOf(name);
    const mermaid = toMermaid(chart);
    const dot = toDot(chart);
    const svg = (await svgs)[name]!;
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(dot).toMatch(/^digraph "\w+" \{/);
    for (const state of chart.states) {
      expect(mermaid).toContain(state.id.replace(/\./g, '_'));
      expect(dot).toContain(`"${state.id}"`);
      expect(svg).toContain(`data-state="${state.id}"`);
    }
    expect(mermaid.split('\n').filter((l) => / --> (?!\[\*\])/.test(l) && !l.includes('[*] -->'))).toHaveLength(chart.edges.length);
    expect(svg.match(/class="edge"/g)?.length).toBeGreaterThanOrEqual(chart.edges.length);
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('README.md, docs/machines.md and docs/img hold the current diagrams (npx tsx scripts/gen-diagrams.ts)', async () => {
    for (const file of ['README.md', 'docs/machines.md']) {
      const text = readFileSync(resolve(root, file), 'utf8');
      expect(text).toContain('<!-- diagram:lease -->');
      expect(refreshDiagrams(text)).toBe(text);
    }
    for (const name of MACHINE_NAMES) {
      expect(readFileSync(resolve(root, `docs/img/${name}-machine.svg`), 'utf8')).toBe((await svgs)[name]);
    }
  });
});

describe('layouts computed ahead (the daemon runs no ELK)', () => {
  it('are ELK\'s layouts of the current machines, and only those (npx tsx scripts/gen-diagrams.ts)', async () => {
    const laid = await fresh;
    for (const name of MACHINE_NAMES) expect(precomputedLayout(elkGraph(statechartOf(name)))).toEqual(positionsOf(laid[name]!));
    expect(precomputedDigests().sort()).toEqual(MACHINE_NAMES.map((name) => graphDigest(elkGraph(statechartOf(name)))).sort());
  });

  it('a chart changed since is laid out by ELK, never drawn at stale positions', async () => {
    const chart = statechartOf('lease');
    const changed = { ...chart, edges: [...chart.edges, { from: 'declined', to: 'offered', label: 'a new event' }] };
    expect(precomputedLayout(elkGraph(changed))).toBeUndefined();
    const laid = layoutStatechart(changed);
    expect(layoutRunning()).toBe(true);
    const svg = svgOf(changed, await laid);
    expect(svg).toContain('a new event');
    expect(svg.match(/class="edge"/g)?.length).toBeGreaterThanOrEqual(changed.edges.length);
  });
});

describe('actor-dhcpd diagram', () => {
  it('prints mermaid by default, dot and svg on request, and refuses the unknown with usage', async () => {
    expect((await diagramCommand(['lease'])).stdout).toBe(toMermaid(statechartOf('lease')));
    expect((await diagramCommand(['server', '--format', 'dot'])).stdout).toBe(toDot(statechartOf('server')));
    expect((await diagramCommand(['transaction', '--format=svg'])).stdout).toBe((await svgs)['transaction']);
    expect(await diagramCommand(['leases'])).toMatchObject({ code: 2, stderr: expect.stringContaining('usage') });
    expect(await diagramCommand(['lease', '--format', 'png'])).toMatchObject({ code: 2, stderr: expect.stringContaining('png') });
  });
});
