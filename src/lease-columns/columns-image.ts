// Lease columns as plain arrays, to cross between threads: a KeyBlob does not survive a structured clone as one.
import { KeyBlob } from './key-column.js';
import type { LeaseColumns } from './packed-leases.js';

export type ColumnsImage = Omit<LeaseColumns, 'clientKeys'> & { readonly keyBytes: Uint8Array; readonly keyEnds: Uint32Array };

/**
 * The columns with their key bytes in a buffer of their own (copied when they share one: a small Buffer lies in
 * Node's shared pool, which cannot be transferred); the other arrays are taken as they are, so give columns that
 * own theirs (PackedLeases.columns).
 */
export function imageOf({ clientKeys, ...columns }: LeaseColumns): ColumnsImage {
  const { bytes } = clientKeys;
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return { ...columns, keyBytes: own ? bytes : new Uint8Array(bytes), keyEnds: clientKeys.ends };
}

export function columnsOf({ keyBytes, keyEnds, ...columns }: ColumnsImage): LeaseColumns {
  return { ...columns, clientKeys: new KeyBlob(keyBytes, keyEnds) };
}
