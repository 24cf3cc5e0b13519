// Counters: messages received and sent by type, NAK and drop reasons, errors by category.
import type { ErrorCategory } from '../errors.js';

export class Stats {
  readonly received = new Map<string, number>();
  readonly sent = new Map<string, number>();
  readonly naks = new Map<string, number>();
  readonly drops = new Map<string, number>();
  readonly errors = new Map<ErrorCategory, number>();
  readonly events = new Map<string, number>();

  count(table: Map<string, number>, key: string, by = 1): void {
    table.set(key, (table.get(key) ?? 0) + by);
  }

  error(category: ErrorCategory): void {
    this.errors.set(category, (this.errors.get(category) ?? 0) + 1);
  }

  snapshot(): Record<string, Record<string, number>> {
    return {
      received: Object.fromEntries(this.received),
      sent: Object.fromEntries(this.sent),
      naks: Object.fromEntries(this.naks),
      drops: Object.fromEntries(this.drops),
      errors: Object.fromEntries(this.errors),
      events: Object.fromEntries(this.events),
    };
  }
}
