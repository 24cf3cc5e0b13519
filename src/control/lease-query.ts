// Lease listing for the control API: filters (MAC, client id, IP, subnet, state), address-ordered pages with an
// opaque cursor, and the JSON view of a lease record.
import { ipToInt, isIpv4, parseHex, toColonHex } from '../codec/index.js';
import { DhcpdError } from '../errors.js';
import type { LeaseState } from '../../machines/lease.types.js';
import type { LeaseRecord } from '../store/types.js';
import type { LeaseSource } from './api.js';


export interface LeaseFilter {
  readonly mac?: string;
  readonly clientId?: string;
  readonly ip?: string;
  readonly subnet?: number;
  readonly state?: LeaseState;
}

export interface LeasePage {
  readonly leases: readonly LeaseView[];
  /** Pass as `cursor` for the next page; absent on the last one. */
  readonly nextCursor?: string;
}

export interface LeaseView {
  readonly ip: string;
  readonly subnetId: number;
  readonly state: string;
  readonly hwAddress: string;
  readonly clientId?: string;
  readonly clientKey: string;
  readonly hostname?: string;
  readonly boundAt?: string;
  readonly renewAt?: string;
  readonly rebindAt?: string;
  readonly expiresAt?: string;
  readonly offerExpiresAt?: string;
  /** Until when the lease may still be renewed after it expires. */
  readonly graceUntil?: string;
  /** Declined: until when the address is held back. */
  readonly probationUntil?: string;
  readonly changedAt: string;
}

/** Epoch ms -> ISO 8601; 0 means "not set" in a lease context. */
const time = (ms: number): string | undefined => (ms > 0 ? new Date(ms).toISOString() : undefined);

export function leaseView(record: LeaseRecord): LeaseView {
  const c = record.context;
  const times = {
    boundAt: time(c.boundAt), renewAt: time(c.renewAt), rebindAt: time(c.rebindAt), expiresAt: time(c.expiresAt),
    offerExpiresAt: record.state === 'offered' ? time(c.offerExpiresAt) : undefined, graceUntil: record.state === 'declined' ? undefined : time(c.graceUntil),
    probationUntil: record.state === 'declined' ? time(c.probationUntil) : undefined,
  };
  const defined = Object.fromEntries(Object.entries(times).filter(([, v]) => v !== undefined)) as Partial<LeaseView>;
  return {
    ip: c.ip,
    subnetId: c.subnetId,
    state: record.state,
    hwAddress: c.hwAddress,
    ...(c.clientKey.startsWith('id:') ? { clientId: c.clientKey.slice(3) } : {}),
    clientKey: c.clientKey,
    ...(c.hostname === undefined ? {} : { hostname: c.hostname }),
    ...defined,
    changedAt: new Date(c.changedAt).toISOString(),
  };
}

function badRequest(field: string, message: string): DhcpdError {
  return new DhcpdError('DHCPD_ERR_CONTROL_BAD_REQUEST', message, { details: { fields: [{ path: `querystring/${field}`, message }] } });
}

function hexBytes(field: string, text: string): Buffer {
  const parsed = parseHex(text.replaceAll('-', ':'));
  if (parsed === undefined || parsed.length === 0) throw badRequest(field, `"${text}" is not hex bytes`);
  return parsed;
}

/** "02-00-5E-10-00-01", "02005e100001" -> "02:00:5e:10:00:01", as leases store chaddr. */
export function normalizeMac(text: string): string {
  const bytes = hexBytes('mac', text);
  if (bytes.length !== 6) throw badRequest('mac', `"${text}" is not a 6-byte MAC address`);
  return toColonHex(bytes);
}

/** Option 61 as client keys hold it: plain lower-case hex, type byte first ("01:02:00:..." accepted). */
export function normalizeClientId(text: string): string {
  return hexBytes('clientId', text).toString('hex');
}

export function encodeCursor(ip: string): string {
  return Buffer.from(ip).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const ip = Buffer.from(cursor, 'base64url').toString();
  if (!isIpv4(ip)) throw badRequest('cursor', 'cursor is not one this API returned');
  return ipToInt(ip);
}

function matcher(filter: LeaseFilter): (record: LeaseRecord) => boolean {
  const mac = filter.mac === undefined ? undefined : normalizeMac(filter.mac);
  const clientKey = filter.clientId === undefined ? undefined : `id:${normalizeClientId(filter.clientId)}`;
  return (r) =>
    (mac === undefined || r.context.hwAddress === mac) &&
    (clientKey === undefined || r.context.clientKey === clientKey) &&
    (filter.subnet === undefined || r.context.subnetId === filter.subnet) &&
    (filter.state === undefined || r.state === filter.state);
}

/** Leases in address order after the cursor; a page costs one pass over the lease book. */
export function queryLeases(source: LeaseSource, filter: LeaseFilter, limit: number, cursor?: string): LeasePage {
  const after = cursor === undefined ? -1 : decodeCursor(cursor);
  const matches = matcher(filter);
  const candidates = filter.ip !== undefined ? [source.get(filter.ip)].filter((r) => r !== undefined) : source.values();
  const found: { n: number; record: LeaseRecord }[] = [];
  for (const record of candidates) {
    const n = ipToInt(record.context.ip);
    if (n > after && matches(record)) found.push({ n, record });
  }
  found.sort((a, b) => a.n - b.n);
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  return {
    leases: page.map((f) => leaseView(f.record)),
    ...(found.length > limit && last !== undefined ? { nextCursor: encodeCursor(last.record.context.ip) } : {}),
  };
}
