// Builders shared by the codec tests: a base message, hand-made packets, fixture loading.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DhcpMessage, DhcpOption } from '../../../src/codec/index.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/packets/', import.meta.url));

export function opt(code: number, bytes: number[] | Buffer): DhcpOption {
  return { code, data: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes) };
}

export function message(overrides: Partial<DhcpMessage> = {}): DhcpMessage {
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0xdeadbeef,
    secs: 0,
    flags: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: Buffer.concat([Buffer.from('525400123456', 'hex'), Buffer.alloc(10)]),
    sname: Buffer.alloc(64),
    file: Buffer.alloc(128),
    options: [opt(53, [1])],
    ...overrides,
  };
}

/** A 240-byte header + cookie (op 1, hlen 6) followed by `optionBytes` exactly as given: no END, no padding. */
export function rawPacket(optionBytes: number[], patch: (buf: Buffer) => void = () => {}): Buffer {
  const head = Buffer.alloc(240);
  head[0] = 1;
  head[1] = 1;
  head[2] = 6;
  head.writeUInt32BE(0x01020304, 4);
  Buffer.from('525400123456', 'hex').copy(head, 28);
  head.writeUInt32BE(0x63825363, 236);
  patch(head);
  return Buffer.concat([head, Buffer.from(optionBytes)]);
}

/** Reads a .hex fixture: '#' lines are comments, whitespace is ignored. */
export function loadHex(name: string): Buffer {
  const text = readFileSync(FIXTURES + name, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  return Buffer.from(text, 'hex');
}
