// Lease columns as plain arrays, to cross between threads: a KeyBlob does not survive a structured clone as one.
import { KeyBlob } from './key-column.js';
import type { LeaseColumns } from './packed-leases.js';

export type ColumnsImage = Omit<LeaseColumns, 'clientKeys'> & { readonly keyBytes: Uint8Array; readonly keyEnds: Uint32Array };

/** The columns as arrays each of its own (the key bytes copied: they may lie in Node's shared pool, which cannot be
 * transferred); the other arrays are taken as they are, so give columns that own theirs (PackedLeases.columns). */
export function imageOf({ clientKeys, ...columns }: LeaseColumns): ColumnsImage {
  return { ...columns, keyBytes: new Uint8Array(clientKeys.bytes), keyEnds: clientKeys.ends };
}

export function columnsOf({ keyBytes, keyEnds, ...columns }: ColumnsImage): LeaseColumns {
  return { ...columns, clientKeys: new KeyBlob(keyBytes, keyEnds) };
}
