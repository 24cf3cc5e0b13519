// Which addresses each client has a record for, by client index key. Almost every client has one: that address is
// kept as a plain string, and a Set only for the few with more (a one-element Set costs ~100 bytes, which at 10^6
// leases is ~100 MB of heap).
export class ClientAddresses {
  private readonly byClient = new Map<string, string | Set<string>>();

  add(key: string, ip: string): void {
    const held = this.byClient.get(key);
    if (held === undefined) this.byClient.set(key, ip);
    else if (typeof held !== 'string') held.add(ip);
    else if (held !== ip) this.byClient.set(key, new Set([held, ip]));
  }

  delete(key: string, ip: string): void {
    const held = this.byClient.get(key);
    if (held === ip) this.byClient.delete(key);
    else if (typeof held === 'object') {
      held.delete(ip);
      if (held.size === 1) this.byClient.set(key, held.values().next().value as string);
    }
  }

  /** A copy: callers may change the book (and so this index) while they go through it. */
  of(key: string): string[] {
    const held = this.byClient.get(key);
    if (held === undefined) return [];
    return typeof held === 'string' ? [held] : [...held];
  }
}
