// The packet path's histogram renders exactly as prom-client's own Histogram would for the same observations, so
// the exposition (and what dashboards and promtool read) is unchanged by the cheaper observe.
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TypedHistogram } from '../../../src/metrics/typed-histogram.js';
import { promtoolCheckMetrics } from '../../helpers/promtool.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const NAMES = ['', 'DISCOVER', 'OFFER', 'REQUEST', 'DECLINE', 'ACK'];

function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  const typed = new TypedHistogram({ name: 'x_latency_seconds', help: 'Latency.', labelName: 'type', labelOf: (c) => NAMES[c]!, buckets: BUCKETS, registers: [ours] });
  const reference = new Histogram({ name: 'x_latency_seconds', help: 'Latency.', labelNames: ['type'], buckets: BUCKETS, registers: [theirs] });
  return { ours, theirs, typed, reference };
}

describe('TypedHistogram', () => {
  it('renders as prom-client\'s Histogram for the same observations (text and JSON), and promtool accepts it', async () => {
    const { ours, theirs, typed, reference } = pair();
    expect(await ours.metrics()).toBe(await theirs.metrics()); // nothing observed yet: no series
    const samples: [number, number][] = [[2, 0.0003], [5, 0.0005], [5, 0.0011], [2, 7], [5, 0.003], [2, 0.5], [5, 5], [2, 0]];
    for (let i = 0; i < 200; i++) samples.push([i % 2 === 0 ? 2 : 5, (i * 0.0137) % 3]);
    for (const [code, value] of samples) {
      typed.observe(code, value);
      reference.observe({ type: NAMES[code]! }, value);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    // JSON alike too, but for prom-client's exemplar slots (none here: this histogram keeps no exemplars).
    const withoutExemplars = (json: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      json.map((m) => ({ ...m, values: m.values.map((v) => ({ labels: v.labels, value: v.value, metricName: (v as { metricName?: string }).metricName })) }));
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(withoutExemplars(await theirs.getMetricsAsJSON()));
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
  });

  it('starts over on reset, as the registry\'s resetMetrics does', async () => {
    const { ours, theirs, typed, reference } = pair();
    typed.observe(2, 0.01);
    reference.observe({ type: 'OFFER' }, 0.01);
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
