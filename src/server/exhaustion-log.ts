// Pool exhaustion is per-packet trouble: under load every DISCOVER to a full pool hits it. It is logged aggregated,
// one line per subnet per interval and never with a stack: the first occurrence at once, and with the next line
// the number of further occurrences since (the drops counter has every one).
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

const INTERVAL_MS = 10_000;

interface Window {
  openedAt: number;
  suppressed: number;
}

export class ExhaustionLog {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly log: Logger, private readonly clock: Clock, private readonly intervalMs = INTERVAL_MS) {}

  report(subnet: string, client: string, xid: number): void {
    const now = this.clock.now();
    const window = this.windows.get(subnet);
    if (window !== undefined && now - window.openedAt < this.intervalMs) {
      window.suppressed++;
      return;
    }
    const err = { type: 'LeaseError', code: 'DHCPD_ERR_LEASE_POOL_EXHAUSTED', message: `no free address in ${subnet}` };
    this.log.warn(
      { evt: 'pool.exhausted', err, subnet, client, xid, ...(window ? { suppressed: window.suppressed, sinceMs: now - window.openedAt } : {}) },
      'no free address',
    );
    this.windows.set(subnet, { openedAt: now, suppressed: 0 });
  }
}
