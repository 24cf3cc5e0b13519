// Key layout of the lease store: address keys that sort numerically, and the by-client index key.

/** Parses a dotted IPv4 address; undefined if it is not one. */
export function ipToUint32(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    // Reject "", "+1", "1e2", " 1" and leading zeros ("010" is octal to some parsers, so ambiguous).
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/**
 * The lease key of an address: 8 lowercase hex digits of its uint32, so LevelDB's bytewise order is address
 * order (dotted strings would sort "10.0.0.10" before "10.0.0.9").
 */
export function addressKey(ip: string): string {
  const value = ipToUint32(ip);
  if (value === undefined) throw new TypeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return value.toString(16).padStart(8, '0');
}

/** The dotted address of a lease key; undefined if the key is not 8 hex digits. */
export function keyToIp(key: string): string | undefined {
  if (!/^[0-9a-f]{8}$/.test(key)) return undefined;
  const value = Number.parseInt(key, 16);
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The by-client index key. clientKey may contain "/" (it does not matter: subnetId is a number and comes first). */
export function clientIndexKey(subnetId: number, clientKey: string): string {
  return `${subnetId}/${clientKey}`;
}
