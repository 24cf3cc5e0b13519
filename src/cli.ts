#!/usr/bin/env -S node --max-semi-space-size=32 --min-semi-space-size=32 --heap-growing-percent=25
// The actor-dhcpd command's entry; cli-main.ts does the work. V8's heap sizing is set in the shebang (the semi-space
// cannot be set from inside the process; docs/security.md "Memory under a flood" has the measurements):
// - a 32 MB semi-space: the packet path allocates many short-lived objects, and the default semi-space made
//   scavenges ~28 % of the CPU (bench/inprocess.bench.ts; 16 MB cost 40-60 % more CPU per DORA);
// - committed from the start (min = max): the young generation does not grow by ~50 MB when load arrives, so the
//   resident set under a flood stays where it was at rest;
// - the old generation grows by 25 % of what a mark-compact left (not V8's up to 4x): promoted garbage is collected
//   before it adds tens of MB of pages under a flood or a DORA burst. Adaptive tuning raises it to 100 % while
//   requests are lost to overload (src/tuning/v8-heap.ts), and restores it after.
// Static imports are all loaded and compiled before any of them runs (~0.6 s for the daemon's graph), so the
// prefetch of the store's snapshot file (early-prefetch.ts, a few small modules) is the only static import: it
// starts reading while the daemon's modules load, behind the dynamic import.
import './early-prefetch.js';

await import('./cli-main.js');
