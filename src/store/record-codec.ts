// The JSON encoding of a LeaseRecord: PostgreSQL's record column, and LevelDB lease values written before the binary
// format (lease-value.ts), which still decode through here.
import { StoreError } from '../errors.js';
import type { LeaseRecord, LeaseState } from '../../machines/lease.types.js';
import { upgradeRecord } from './record-upgrade.js';

/** What encodeRecord produces and the lease sublevel stores. */
export type EncodedRecord = string;

/** The abstract-level value encoding matching EncodedRecord; change both together. */
export const RECORD_VALUE_ENCODING = 'utf8';

/** A Record, not a list, so a new LeaseState fails to compile here instead of being read back as corrupt. */
const STATES: Readonly<Record<LeaseState, true>> = {
  offered: true,
  bound: true,
  renewing: true,
  rebinding: true,
  expired: true,
  released: true,
  declined: true,
  reclaimed: true,
};

export function encodeRecord(record: LeaseRecord): EncodedRecord {
  return JSON.stringify(record);
}

/** Decodes and checks the fields the store and the rehydration rely on; throws DHCPD_ERR_STORE_CORRUPT otherwise. */
export function decodeRecord(value: EncodedRecord | Uint8Array): LeaseRecord {
  const text = typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.length).toString();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StoreError('DHCPD_ERR_STORE_CORRUPT', 'lease record is not valid JSON', { cause: error });
  }
  const problem = recordProblem(parsed);
  if (problem !== undefined) throw new StoreError('DHCPD_ERR_STORE_CORRUPT', `lease record ${problem}`);
  return upgradeRecord(parsed as LeaseRecord);
}

/** Checks only the identity and lifecycle fields: cheap enough for 10^6 records at start-up. */
function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'is not an object';
  const { state, context, timers } = value as Record<string, unknown>;
  if (typeof state !== 'string' || !Object.hasOwn(STATES, state)) return 'has no valid state';
  if (!Array.isArray(timers)) return 'has no timers array';
  if (typeof context !== 'object' || context === null) return 'has no context';
  const ctx = context as Record<string, unknown>;
  if (typeof ctx.ip !== 'string') return 'has no context.ip';
  if (typeof ctx.subnetId !== 'number' || !Number.isInteger(ctx.subnetId)) return 'has no integer context.subnetId';
  if (typeof ctx.clientKey !== 'string' || ctx.clientKey === '') return 'has no context.clientKey';
  return undefined;
}
