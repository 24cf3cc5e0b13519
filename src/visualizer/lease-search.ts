// Finds leases the way an operator asks: by MAC, client identifier, IP or host name; then reads their history.
// Shared by the /ui page, the control API and `actor-dhcpd history --store`.
import type { LeaseRecord } from '../../machines/lease.types.js';
import type { LeaseTransition } from '../leases/transition.js';
import type { LeaseHistoryStore } from '../store/types.js';

export type LeaseQuery =
  | { readonly mac: string }
  | { readonly clientId: string }
  | { readonly ip: string }
  | { readonly hostname: string };

export interface LeaseHistoryEntry {
  /** The address's current record, when there is one. */
  readonly lease?: LeaseRecord;
  readonly ip: string;
  readonly transitions: readonly LeaseTransition[];
}

const hexOf = (text: string): string => text.toLowerCase().replace(/[^0-9a-f]/g, '');

/** One free-text search box: an IPv4 address, a MAC (6 bytes), hex bytes of a client id, else a host name. */
export function parseQuery(text: string): LeaseQuery {
  const value = text.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return { ip: value };
  if (/^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i.test(value)) return { mac: value };
  if (/^(id:)?[0-9a-f]{2}([:-]?[0-9a-f]{2})+$/i.test(value)) return { clientId: value.replace(/^id:/i, '') };
  return { hostname: value };
}

export function matches(record: LeaseRecord, query: LeaseQuery): boolean {
  const { context } = record;
  if ('ip' in query) return context.ip === query.ip;
  if ('mac' in query) return hexOf(context.hwAddress) === hexOf(query.mac);
  if ('clientId' in query) return context.clientKey === `id:${hexOf(query.clientId)}`;
  return (context.hostname ?? '').toLowerCase() === query.hostname.toLowerCase();
}

/**
 * The history of every address the query names. By IP: all transitions of the address; by client: the client's
 * transitions on each address it has a record for (other clients' use of the address is not theirs).
 */
export async function searchHistory(
  records: Iterable<LeaseRecord>,
  history: LeaseHistoryStore,
  query: LeaseQuery,
  limit?: number,
): Promise<LeaseHistoryEntry[]> {
  const found = [...records].filter((r) => matches(r, query));
  if ('ip' in query) {
    const transitions = await history.history(query.ip, limit);
    return transitions.length === 0 && found.length === 0 ? [] : [{ ...(found[0] ? { lease: found[0] } : {}), ip: query.ip, transitions }];
  }
  return Promise.all(
    found.map(async (lease) => {
      const all = await history.history(lease.context.ip, limit);
      return { lease, ip: lease.context.ip, transitions: all.filter((t) => t.clientKey === lease.context.clientKey) };
    }),
  );
}

/** One line per transition, for the terminal. */
export function formatTransition(t: LeaseTransition): string {
  const xid = t.xid === undefined ? '' : `  xid=0x${t.xid.toString(16).padStart(8, '0')}`;
  return `${new Date(t.at).toISOString()}  ${t.ip}  ${t.from} → ${t.to}  ${t.event}${xid}${t.message ? `  ${t.message}` : ''}`;
}
