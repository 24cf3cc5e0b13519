// Runs the native ICMP prober inside a test namespace for test/integration/icmp-prober.test.ts: probes each
// address of argv[2] (a JSON list) at once, prints one JSON line of results, closes the socket and exits.
import { systemClock } from '../../src/clock.js';
import { openIcmpProber } from '../../src/net/icmp-prober.js';

const targets = JSON.parse(process.argv[2] ?? '[]') as string[];
const timeoutMs = Number(process.argv[3] ?? 500);
const prober = openIcmpProber({ clock: systemClock });
const started = Date.now();
const results = await Promise.all(targets.map(async (ip) => ({ ip, ...(await prober.probe(ip, timeoutMs)), ms: Date.now() - started })));
prober.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
