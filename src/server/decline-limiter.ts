// Counts DECLINEs per client so one client cannot burn a pool by declining every address it is offered.

export class DeclineLimiter {
  private readonly counts = new Map<string, { count: number; since: number }>();

  constructor(private readonly limits: () => { readonly max: number; readonly windowMs: number }) {}

  /** Records a decline; true while the client is still within its limit. */
  record(clientKey: string, now: number): boolean {
    const { windowMs } = this.limits();
    const entry = this.counts.get(clientKey);
    if (entry === undefined || now - entry.since > windowMs) {
      this.counts.set(clientKey, { count: 1, since: now });
    } else {
      entry.count++;
    }
    this.prune(now);
    return !this.isBlocked(clientKey, now);
  }

  /** Whether any client has declined lately: while none has, no request needs the time or a lookup to be checked. */
  get any(): boolean {
    return this.counts.size > 0;
  }

  isBlocked(clientKey: string, now: number): boolean {
    const entry = this.counts.get(clientKey);
    const { max, windowMs } = this.limits();
    return entry !== undefined && now - entry.since <= windowMs && entry.count > max;
  }

  /** Old entries go, so the table cannot grow without bound. */
  private prune(now: number): void {
    if (this.counts.size < 1024) return;
    const { windowMs } = this.limits();
    for (const [key, entry] of this.counts) if (now - entry.since > windowMs) this.counts.delete(key);
  }
}
