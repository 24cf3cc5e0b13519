// Rejects malformed writes before they join a group commit (a programmer error must not fail others' batch).
import { ipToInt32 } from './keys.js';
import type { LeaseWrite } from './types.js';

/** A programmer error in a write is the caller's alone: it must not fail the batch it would share. */
export function invalidWrite(writes: readonly LeaseWrite[]): TypeError | undefined {
  for (const write of writes) {
    if (write.kind === 'delete') {
      if (ipToInt32(write.ip) === undefined) return new TypeError(`delete of a non-IPv4 address ${write.ip}`);
      continue;
    }
    const { ip, subnetId, clientKey } = write.record.context;
    if (ipToInt32(ip) === undefined) return new TypeError(`put of a non-IPv4 address ${ip}`);
    if (!Number.isInteger(subnetId) || typeof clientKey !== 'string' || clientKey === '') {
      return new TypeError(`put of ${ip} without an integer subnetId and a clientKey`);
    }
  }
  return undefined;
}
