// Micro-benchmark of the DHCP codec hot path. Run: npx tsx bench/codec.bench.ts [iterations]
// Bounded: each case runs a fixed number of iterations and stops early after 3 s.
import { readFileSync } from 'node:fs';
import {
  clientIdHex, decode, decodeRequest, encode, getParameterRequestList, hwAddressOf, type DhcpMessage,
} from '../src/codec/index.js';

const ITERATIONS = Number(process.argv[2] ?? 200_000);
const TIME_CAP_MS = 3_000;

function fixture(name: string): Buffer {
  const text = readFileSync(new URL(`../test/fixtures/packets/${name}.hex`, import.meta.url), 'utf8');
  return Buffer.from(text.split('\n').filter((l) => !l.startsWith('#')).join('').replace(/\s+/g, ''), 'hex');
}

const discover = fixture('dhcpcd-discover');
const request = fixture('udhcpc-request');
const parsed = decodeRequest(discover);
if (!parsed.ok) throw parsed.error;

const ip = (s: string) => Buffer.from(s.split('.').map(Number));
const offer: DhcpMessage = {
  ...parsed.msg,
  op: 2,
  yiaddr: '198.51.100.111',
  siaddr: '198.51.100.1',
  options: [
    { code: 53, data: Buffer.from([2]) },
    { code: 54, data: ip('198.51.100.1') },
    { code: 51, data: Buffer.from([0, 0, 0x0e, 0x10]) },
    { code: 58, data: Buffer.from([0, 0, 0x07, 0x08]) },
    { code: 59, data: Buffer.from([0, 0, 0x0c, 0x4e]) },
    { code: 1, data: ip('255.255.255.0') },
    { code: 3, data: ip('198.51.100.1') },
    { code: 6, data: Buffer.concat([ip('198.51.100.1'), ip('198.51.100.2')]) },
    { code: 15, data: Buffer.from('example.org') },
    { code: 28, data: ip('198.51.100.255') },
  ],
};

let sink = 0;
function bench(name: string, fn: () => unknown): void {
  for (let i = 0; i < 20_000; i++) fn(); // warm-up for the JIT
  const start = process.hrtime.bigint();
  const deadline = performance.now() + TIME_CAP_MS;
  let n = 0;
  while (n < ITERATIONS) {
    for (let k = 0; k < 1000; k++) if (fn()) sink++;
    n += 1000;
    if (performance.now() > deadline) break;
  }
  const ns = Number(process.hrtime.bigint() - start) / n;
  console.log(`${name.padEnd(44)} ${(ns / 1000).toFixed(2).padStart(7)} µs/op  ${Math.round(1e9 / ns).toLocaleString('en').padStart(10)} op/s`);
}

console.log(`node ${process.version}, ${ITERATIONS} iterations per case`);
bench('decode (dhcpcd DISCOVER, 300 B)', () => decode(discover).ok);
bench('decodeRequest (udhcpc REQUEST, 308 B)', () => decodeRequest(request).ok);
bench('client facts (hwaddr, client id, PRL)', () =>
  hwAddressOf(parsed.msg).length + (clientIdHex(parsed.msg)?.length ?? 0) + getParameterRequestList(parsed.msg).length);
bench('encode (typical OFFER, 10 options)', () => encode(offer).length);
bench('encode with maxSize 576 (no overload needed)', () => encode(offer, { maxSize: 576 }).length);
// As the server runs them: a datagram handed over (no copy: net/ingress.ts), a reply encoded pooled within option 57
// (server/reply-fit.ts).
const HAND_OVER = { handOver: true, keepView: true } as const;
const REPLY = { maxSize: 548, pooled: true };
bench('decodeRequest handed over (server ingress)', () => decodeRequest(request, HAND_OVER).ok);
bench('encode pooled within 548 (server reply)', () => encode(offer, REPLY).length);
bench('decodeRequest + facts + encode OFFER', () => {
  const res = decodeRequest(discover);
  if (!res.ok) return 0;
  hwAddressOf(res.msg);
  clientIdHex(res.msg);
  return encode({ ...offer, xid: res.msg.xid, chaddr: res.msg.chaddr }).length;
});
console.log(sink > 0 ? '' : 'nothing ran');
