// Option 121, classless static routes (RFC 3442 §3): width, significant destination octets, router.
import { parseIpv4, intToIp } from '../ip.js';
import { badValue, expected, isRecord } from './problem.js';

export interface ClasslessRoute {
  /** "a.b.c.d/len" with no host bits set. */
  destination: string;
  router: string;
}

function maskOf(width: number): number {
  return width === 0 ? 0 : (0xffffffff << (32 - width)) >>> 0;
}

function parseDestination(text: unknown, index: number): [number, number] {
  const fail = () => expected(`a destination "a.b.c.d/len" at index ${index}`, text);
  if (typeof text !== 'string') throw fail();
  const slash = text.indexOf('/');
  if (slash < 0) throw fail();
  const address = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  const width = /^(0|[1-9][0-9]?)$/.test(lenText) ? Number(lenText) : -1;
  if (address < 0 || width < 0 || width > 32) throw fail();
  if (((address & ~maskOf(width)) >>> 0) !== 0) {
    throw badValue(`destination ${JSON.stringify(text)} at index ${index} has host bits set beyond /${width}`);
  }
  return [address, width];
}

export function encodeRoutes(value: unknown): Buffer {
  if (!Array.isArray(value) || value.length === 0) throw expected('a non-empty list of {destination, router}', value);
  const out: number[] = [];
  value.forEach((route: unknown, i) => {
    if (!isRecord(route)) throw expected(`{destination, router} at index ${i}`, route);
    const [address, width] = parseDestination(route.destination, i);
    const router = typeof route.router === 'string' ? parseIpv4(route.router) : -1;
    if (router < 0) throw expected(`an IPv4 router address at index ${i}`, route.router);
    out.push(width);
    // RFC 3442 §3: only ceil(width / 8) octets of the destination are sent.
    for (let k = 0; k < Math.ceil(width / 8); k++) out.push((address >>> (24 - 8 * k)) & 0xff);
    out.push(router >>> 24, (router >>> 16) & 0xff, (router >>> 8) & 0xff, router & 0xff);
  });
  return Buffer.from(out);
}

/** Host bits present in the last significant octet are cleared, as a client installing the route would. */
export function decodeRoutes(data: Buffer): ClasslessRoute[] {
  if (data.length === 0) throw badValue('classless static routes need at least one route');
  const routes: ClasslessRoute[] = [];
  for (let pos = 0; pos < data.length; ) {
    const width = data[pos] as number;
    if (width > 32) throw badValue(`route at offset ${pos} has prefix length ${width}, more than 32`);
    const octets = Math.ceil(width / 8);
    if (pos + 1 + octets + 4 > data.length) throw badValue(`route at offset ${pos} runs past the end of the option`);
    let address = 0;
    for (let k = 0; k < 4; k++) address = address * 256 + (k < octets ? (data[pos + 1 + k] as number) : 0);
    const router = data.readUInt32BE(pos + 1 + octets);
    routes.push({ destination: `${intToIp((address & maskOf(width)) >>> 0)}/${width}`, router: intToIp(router) });
    pos += 1 + octets + 4;
  }
  return routes;
}
