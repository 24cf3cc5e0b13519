// prom-client as the daemon loads it: the four classes it uses, each from its own module. The package's index also
// loads the default metrics, summaries, the pushgateway, the cluster aggregator and @opentelemetry/api: ~30 ms of a
// start on this host against ~5 ms (88 modules against 8). The types are the package's own, and
// test/unit/package-subsets.test.ts checks that each value is the very one the index exports.
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

const load = createRequire(import.meta.url);

export const Counter = load('prom-client/lib/counter') as typeof Prom.Counter;
export const Gauge = load('prom-client/lib/gauge') as typeof Prom.Gauge;
export const Histogram = load('prom-client/lib/histogram') as typeof Prom.Histogram;
export const Registry = load('prom-client/lib/registry') as typeof Prom.Registry;
// The classes are types too.
export type Counter<T extends string = string> = Prom.Counter<T>;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export type Histogram<T extends string = string> = Prom.Histogram<T>;
export type Registry = Prom.Registry;
