// The liveness probes of a hostile run: each a single-shot DORA from a fresh MAC (one DISCOVER with the broadcast
// flag, one REQUEST for what was offered, no retransmission), timed from its DISCOVER to the OFFER and the ACK. Used
// by the generator on its own socket, or by probe-client.mjs in a namespace of its own (a legitimate client's view:
// a host that is not the one flooding, so the flood's sending and its replies do not delay or drop the probe's).
export const PROBE_TIMEOUT_MS = 3_000;

const DHCP_OFFER = 2;
const DHCP_ACK = 5;
const DHCP_NAK = 6;

/** Probes sent with `send(bytes)`, built by `valid` (packets.mjs); `reply(msg)` takes every datagram received. */
export function livenessProbes(valid, send) {
  const probes = new Map();
  return {
    start(n) {
      const chaddr = Buffer.from([0x02, 0x00, 0x5e, 0x77, (n >> 8) & 0xff, n & 0xff]);
      const probe = { n, xid: (0x7e000000 + n) >>> 0, chaddr, at: performance.now() };
      probes.set(probe.xid, probe);
      send(valid(1, { xid: probe.xid, chaddr, flags: 0x8000 }));
    },
    /** Takes any datagram; one answering a probe is timed (a slow answer still counts, whatever probe started since). */
    reply(msg) {
      if (msg.length < 240 || msg[0] !== 2) return;
      const probe = probes.get(msg.readUInt32BE(4));
      if (probe === undefined) return;
      const typeAt = msg.indexOf(Buffer.from([53, 1]), 240);
      const type = typeAt < 0 ? 0 : msg[typeAt + 2];
      if (type === DHCP_OFFER && probe.offerMs === undefined) {
        probe.offerMs = performance.now() - probe.at;
        const serverId = msg.indexOf(Buffer.from([54, 4]), 240);
        send(valid(3, { xid: probe.xid, chaddr: probe.chaddr, flags: 0x8000, requested: [...msg.subarray(16, 20)], serverId: [...msg.subarray(serverId + 2, serverId + 6)] }));
      } else if (type === DHCP_ACK) {
        probe.ackMs = performance.now() - probe.at;
        probe.ip = [...msg.subarray(16, 20)].join('.');
      } else if (type === DHCP_NAK) {
        probe.nak = true;
      }
    },
    /** Resolves once every probe is ACKed or NAKed, or `PROBE_TIMEOUT_MS` after the call. */
    async settled() {
      const deadline = performance.now() + PROBE_TIMEOUT_MS;
      const open = () => [...probes.values()].some((p) => p.ackMs === undefined && p.nak === undefined);
      while (performance.now() < deadline && open()) await new Promise((r) => setTimeout(r, 10));
    },
    results() {
      return [...probes.values()].map((p) => ({ probe: p.n, offerMs: p.offerMs, ackMs: p.ackMs, ip: p.ip, nak: p.nak ?? false }));
    },
  };
}
