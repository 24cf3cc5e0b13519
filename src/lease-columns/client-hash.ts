// The 32-bit hash of (subnet, client key) that the lease book's by-client index is keyed by, of a string or of the
// UTF-8 bytes a loaded table keeps its keys in. Both give the same hash for the same key, so an index built from
// bytes at start-up and one kept up from strings afterwards agree.

/** FNV-1a over the subnet id and the key's UTF-16 code units. */
export function clientHash(subnetId: number, clientKey: string): number {
  let hash = Math.imul(0x811c9dc5 ^ subnetId, 0x01000193);
  for (let i = 0; i < clientKey.length; i++) hash = Math.imul(hash ^ clientKey.charCodeAt(i), 0x01000193);
  return hash;
}

/**
 * clientHash of the key in bytes[start..end) when it is ASCII (a byte is then its code unit); undefined when it is
 * not, and the caller hashes the decoded string.
 */
export function clientHashOfAscii(subnetId: number, bytes: Uint8Array, start: number, end: number): number | undefined {
  let hash = Math.imul(0x811c9dc5 ^ subnetId, 0x01000193);
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) return undefined;
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash;
}
