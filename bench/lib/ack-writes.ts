// Lease writes as an ACK makes them, for the store benches: the offer's and the ACK's transitions recorded (with
// their messages), then the bound record written through the history recorder, `window` writers at once so group
// commits gather as under load. Addresses cycle through 198.18.0.0/15's first 131,000.
import type { LeaseRecord, LeaseTransition } from '../../machines/lease.types.js';
import type { HistoryRecorder } from '../../src/store/history-recorder.js';

const BASE = 0xc6120000; // 198.18.0.0
const EPOCH = 1_700_000_000_000;

const ipOf = (i: number): string => {
  const n = BASE + (i % 131_000);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
};
const macOf = (i: number): string =>
  `02:00:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((n) => n.toString(16).padStart(2, '0')).join(':')}`;

function bound(ip: string, mac: string, at: number): LeaseRecord {
  return {
    state: 'bound',
    context: {
      ip, subnetId: 1, clientKey: `hw:1:${mac}`, hwAddress: mac, offerExpiresAt: 0, boundAt: at, renewAt: at + 1_800_000,
      rebindAt: at + 3_150_000, expiresAt: at + 3_600_000, graceUntil: 0, probationUntil: 0, changedAt: at,
    },
    timers: [{ event: 'xstate.after.renewal.lease.bound', at: at + 1_800_000 }],
  };
}

function transition(ip: string, mac: string, at: number, from: string, to: string, event: string, xid: number, type: string): LeaseTransition {
  return { at, ip, subnetId: 1, clientKey: `hw:1:${mac}`, from, to, event, xid, message: `DHCP${type} from ${mac} via 198.18.0.1` };
}

/** Writes leases `from` .. `from + count - 1` as ACKs would. */
export async function ackWrites(recorder: HistoryRecorder, from: number, count: number, window = 128): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < end) {
      const i = next++;
      const ip = ipOf(i);
      const mac = macOf(i);
      const at = EPOCH + i;
      recorder.record(transition(ip, mac, at, 'none', 'offered', 'lease.offer', 2 * i + 1, 'DISCOVER'));
      recorder.record(transition(ip, mac, at, 'offered', 'bound', 'lease.commit', 2 * i + 2, 'REQUEST'));
      await recorder.write([{ kind: 'put', record: bound(ip, mac, at) }]);
    }
  }));
}
