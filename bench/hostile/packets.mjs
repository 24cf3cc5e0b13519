// The hostile-traffic packet builder, shared by the generator (hostile-traffic.mjs, over sockets from a namespace)
// and the in-process memory bench (memory.bench.ts). Plain JavaScript so `ip netns exec NS node` runs it unbuilt.

/**
 * A seeded packet source (mulberry32: small, seedable, good enough for traffic). Each packet comes with its `kind`
 * (for the report of anything answered that must not be) and `silent`: the server must not answer it whatever its
 * state.
 */
export function packetSource(seed) {
  let state = seed >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(rand() * n);
  const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const pick = (list) => list[int(list.length)];

  /** A well-formed BOOTREQUEST of the given type, with random addresses and options. */
  function valid(type, opts = {}) {
    const b = Buffer.alloc(240);
    b[0] = 1; b[1] = 1; b[2] = 6; b[3] = opts.hops ?? 0;
    b.writeUInt32BE(opts.xid ?? int(2 ** 32), 4);
    b.writeUInt16BE(opts.flags ?? 0, 10);
    (opts.ciaddr ?? Buffer.alloc(4)).copy(b, 12);
    (opts.giaddr ?? Buffer.alloc(4)).copy(b, 24);
    (opts.chaddr ?? Buffer.concat([Buffer.from([0x02]), bytes(5)])).copy(b, 28);
    b.writeUInt32BE(0x63825363, 236);
    const options = [Buffer.from([53, 1, type])];
    if (opts.requested) options.push(Buffer.from([50, 4, ...opts.requested]));
    if (opts.serverId) options.push(Buffer.from([54, 4, ...opts.serverId]));
    for (const extra of opts.extra ?? []) options.push(extra);
    options.push(Buffer.from([255]));
    return Buffer.concat([b, ...options]);
  }

  const randomAddress = () => bytes(4);
  const randomOptions = () => Array.from({ length: int(6) }, () => {
    const code = 1 + int(253);
    const data = bytes(int(40));
    return Buffer.from([code === 53 ? 12 : code, data.length, ...data]);
  });

  /** One hostile packet. */
  function hostile() {
    const kind = int(10);
    if (kind < 3) {
      // Valid shape, hostile content: random type, chaddr, giaddr (often unroutable), ciaddr, options.
      const type = pick([1, 3, 4, 7, 8]);
      const relayed = rand() < 0.5;
      return { kind: 'random-content', data: valid(type, { giaddr: relayed ? randomAddress() : undefined, hops: relayed ? 1 : 0, ciaddr: rand() < 0.5 ? randomAddress() : undefined,
        requested: rand() < 0.5 ? randomAddress() : undefined, serverId: rand() < 0.3 ? randomAddress() : undefined, extra: randomOptions(), flags: rand() < 0.5 ? 0x8000 : 0 }), silent: false };
    }
    if (kind < 5) {
      // Mutated: a valid packet with random bytes flipped (may or may not still decode).
      const p = valid(pick([1, 3, 8]), { extra: randomOptions() });
      for (let i = 0, n = 1 + int(8); i < n; i++) p[int(p.length)] = int(256);
      const silent = p[0] !== 1 || p.readUInt32BE(236) !== 0x63825363 || p[2] > 16;
      return { kind: 'mutated', data: p, silent };
    }
    if (kind < 6) return { kind: 'server-only-type', data: valid(pick([2, 5, 6])), silent: true };
    if (kind < 7) { const p = valid(1); p[0] = 2; return { kind: 'bootreply', data: p, silent: true }; }
    if (kind < 8) return { kind: 'too-short', data: bytes(int(240)), silent: true };
    if (kind < 9) { const p = valid(1); p.writeUInt32BE((int(2 ** 32) | 1) >>> 0, 236); return { kind: 'bad-cookie', data: p, silent: p.readUInt32BE(236) !== 0x63825363 }; }
    const p = valid(1);
    return { kind: 'option-overrun', data: Buffer.concat([p.subarray(0, 240), Buffer.from([53, 1, 1, 12, 200, 1, 2])]), silent: true };
  }

  /** A valid DISCOVER from a random MAC: the starvation flood. */
  function discoverFlood() {
    return { kind: 'discover', data: valid(1, { chaddr: Buffer.concat([Buffer.from([0x02]), bytes(5)]) }), silent: false };
  }

  return { valid, hostile, discoverFlood };
}

/** The chaddr field (16 bytes, zero-padded when the packet is shorter): a reply echoes it with the xid. */
const chaddrField = (data) => {
  const field = Buffer.alloc(16);
  if (data.length > 28) data.copy(field, 0, 28, Math.min(44, data.length));
  return field.toString('hex');
};

/**
 * The packets sent that must not be answered, and the answers that broke that rule, by kind. An answer counts
 * only when its xid AND chaddr match a forbidden packet: xids are random 32-bit numbers, and among 10^6 packets
 * about a hundred share one with a packet that may be answered (seed 7: 111), whose answers an xid alone would count.
 */
export function forbiddenLedger() {
  const byXid = new Map();
  const answeredByKind = {};
  let sharedXid = 0;
  return {
    /** Notes a packet about to be sent. */
    sent(packet) {
      if (packet.silent && packet.data.length >= 8) byXid.set(packet.data.readUInt32BE(4), { kind: packet.kind, chaddr: chaddrField(packet.data) });
    },
    /** Looks at a reply from the server; returns the kind of the forbidden packet it answers, if it does. */
    answered(reply) {
      if (reply.length < 44) return undefined;
      const silent = byXid.get(reply.readUInt32BE(4));
      if (silent === undefined) return undefined;
      if (silent.chaddr !== chaddrField(reply)) {
        sharedXid++;
        return undefined;
      }
      answeredByKind[silent.kind] = (answeredByKind[silent.kind] ?? 0) + 1;
      return silent.kind;
    },
    summary() {
      return { forbiddenSent: byXid.size, forbiddenAnswered: Object.values(answeredByKind).reduce((a, b) => a + b, 0), forbiddenAnsweredByKind: { ...answeredByKind }, answeredSharingXid: sharedXid };
    },
  };
}
