// Security events: every rejection (and every rogue server heard) as a value, counted per stage and reason and
// kept in a bounded ring of the most recent ones for the control API.

export interface SecurityEvent {
  readonly at: number /* epoch ms */;
  readonly stage: string;
  readonly reason: string;
  readonly client?: string;
  readonly iface?: string;
  readonly giaddr?: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** The last `capacity` events; older ones are overwritten. */
export class SecurityEventRing {
  private readonly slots: (SecurityEvent | undefined)[];
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<SecurityEvent | undefined>(capacity);
  }

  push(event: SecurityEvent): void {
    this.slots[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
    this.filled = Math.min(this.filled + 1, this.capacity);
  }

  /** Newest first, at most `limit`. */
  recent(limit = this.capacity): SecurityEvent[] {
    const out: SecurityEvent[] = [];
    for (let i = 1; i <= Math.min(limit, this.filled); i++) out.push(this.slots[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }
}

/** Counts per stage and reason; stages and reasons are fixed names, so the table is bounded by the code. */
export class SecurityCounters {
  private readonly table = new Map<string, Map<string, number>>();

  count(stage: string, reason: string): void {
    let reasons = this.table.get(stage);
    if (reasons === undefined) this.table.set(stage, (reasons = new Map()));
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }

  snapshot(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.table].map(([stage, reasons]) => [stage, Object.fromEntries(reasons)]));
  }
}
