// Rewrites a classic pcap file as pcapng (section header, one interface, enhanced packet blocks), in either byte
// order and timestamp resolution: tcpdump on this machine writes only pcap, and the reader must take both.
export function pcapToPcapng(pcap: Buffer, opts: { bigEndian?: boolean; nanos?: boolean } = {}): Buffer {
  const le = pcap.readUInt32LE(0) === 0xa1b2c3d4;
  const r32 = (at: number): number => (le ? pcap.readUInt32LE(at) : pcap.readUInt32BE(at));
  const blocks: Buffer[] = [];
  const block = (type: number, body: Buffer): void => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const out = Buffer.alloc(12 + padded.length);
    const w32 = (v: number, at: number): number => (opts.bigEndian ? out.writeUInt32BE(v, at) : out.writeUInt32LE(v, at));
    w32(type, 0);
    w32(out.length, 4);
    padded.copy(out, 8);
    w32(out.length, out.length - 4);
    blocks.push(out);
  };
  const body = (size: number, fill: (b: Buffer, w32: (v: number, at: number) => void, w16: (v: number, at: number) => void) => void): Buffer => {
    const b = Buffer.alloc(size);
    const w32 = (v: number, at: number): void => void (opts.bigEndian ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
    const w16 = (v: number, at: number): void => void (opts.bigEndian ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at));
    fill(b, w32, w16);
    return b;
  };
  block(0x0a0d0d0a, body(16, (b, w32, w16) => {
    w32(0x1a2b3c4d, 0);
    w16(1, 4);
    b.writeBigInt64LE(-1n, 8);
  }));
  const linkType = r32(20) & 0xffff;
  // if_tsresol (code 9, length 1): 9 = nanoseconds; absent = microseconds.
  block(1, body(opts.nanos ? 20 : 8, (b, w32, w16) => {
    w16(linkType, 0);
    w32(65535, 4);
    if (opts.nanos) {
      w16(9, 8);
      w16(1, 10);
      b[12] = 9;
      w16(0, 16);
    }
  }));
  for (let offset = 24; offset + 16 <= pcap.length; ) {
    const seconds = r32(offset);
    const micros = r32(offset + 4);
    const captured = r32(offset + 8);
    const data = pcap.subarray(offset + 16, offset + 16 + captured);
    const units = BigInt(seconds) * (opts.nanos ? 1_000_000_000n : 1_000_000n) + BigInt(micros) * (opts.nanos ? 1000n : 1n);
    block(6, Buffer.concat([body(20, (_b, w32) => {
      w32(0, 0);
      w32(Number(units >> 32n), 4);
      w32(Number(units & 0xffffffffn), 8);
      w32(captured, 12);
      w32(r32(offset + 12), 16);
    }), data]));
    offset += 16 + captured;
  }
  return Buffer.concat(blocks);
}
