// The 256 RFC 3074 hash buckets dealt out to the servers by their weights (`scaleOut.split`), and who serves a
// bucket right now: its owner while alive, else one of the live servers (the same choice on every server).

export const BUCKETS = 256;

/** bucket -> owner name: contiguous runs in name order, sized by weight (largest remainders get the rest). */
export function assignBuckets(peers: readonly string[], split: Readonly<Record<string, number>>): readonly string[] {
  const sorted = [...peers].sort();
  const total = sorted.reduce((sum, p) => sum + (split[p] ?? 0), 0);
  if (total === 0) throw new TypeError('every weight is 0');
  const exact = sorted.map((p) => ((split[p] ?? 0) * BUCKETS) / total);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, i) => ({ i, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < BUCKETS; k++) counts[order[k % order.length]!.i]! += 1;
  const owners: string[] = [];
  sorted.forEach((p, i) => {
    for (let n = 0; n < counts[i]!; n++) owners.push(p);
  });
  return owners;
}

/**
 * Who answers a bucket: the owner when alive; else the live servers share the dead owner's buckets round-robin
 * in name order, so every server, seeing the same heartbeats, picks the same one.
 */
export function servingPeer(owners: readonly string[], bucket: number, alive: ReadonlySet<string>): string | undefined {
  const owner = owners[bucket];
  if (owner !== undefined && alive.has(owner)) return owner;
  const live = [...alive].sort();
  const weighted = live.filter((p) => owners.includes(p));
  const candidates = weighted.length > 0 ? weighted : live;
  return candidates.length === 0 ? undefined : candidates[bucket % candidates.length];
}

/** How many buckets `self` answers while `alive` are the live servers. */
export function servedBuckets(owners: readonly string[], alive: ReadonlySet<string>, self: string): number {
  let served = 0;
  for (let bucket = 0; bucket < owners.length; bucket++) if (servingPeer(owners, bucket, alive) === self) served++;
  return served;
}
