// Counters: messages received and sent by type, NAK and drop reasons, errors by category.
import { MessageType } from '../codec/types.js';
import { ERROR_CODES, type ErrorCategory } from '../errors.js';

const CATEGORIES = [...new Set(Object.values(ERROR_CODES).map((spec) => spec.category))];

/** "DISCOVER", "ACK", …: counters are keyed by the message type's RFC 2132 §9.6 name. */
export const messageName = (type: MessageType): string => MessageType[type] ?? `TYPE-${type}`;

export class Stats {
  /**
   * Messages by type, counted per request in arrays (a Map's get and set per message were 8 hash probes per DORA);
   * the Maps hold each type seen by its name (its index there), in the order first seen.
   */
  private readonly received = new Map<string, number>();
  private readonly sent = new Map<string, number>();
  private readonly receivedByType = new Float64Array(256);
  private readonly sentByType = new Float64Array(256);
  readonly naks = new Map<string, number>();
  readonly drops = new Map<string, number>();
  /** Every error class has a counter, zero until its first error, so monitoring can alert on it from the start. */
  readonly errors = new Map<ErrorCategory, number>(CATEGORIES.map((c) => [c, 0]));
  readonly events = new Map<string, number>();
  /** Supervisor restarts by child since start (the health report counts only those inside the window). */
  readonly restarts = new Map<string, number>();

  count(table: Map<string, number>, key: string, by = 1): void {
    table.set(key, (table.get(key) ?? 0) + by);
  }

  /** A decoded request of this type arrived (before routing, so drops later on are still counted here). */
  receivedMessage(type: MessageType): void {
    if (this.receivedByType[type & 255]!++ === 0) this.received.set(messageName(type), type & 255);
  }

  sentMessage(type: MessageType): void {
    if (this.sentByType[type & 255]!++ === 0) this.sent.set(messageName(type), type & 255);
  }

  error(category: ErrorCategory): void {
    this.errors.set(category, (this.errors.get(category) ?? 0) + 1);
  }

  snapshot(): Record<string, Record<string, number>> {
    return {
      received: byName(this.received, this.receivedByType),
      sent: byName(this.sent, this.sentByType),
      naks: Object.fromEntries(this.naks),
      drops: Object.fromEntries(this.drops),
      errors: Object.fromEntries(this.errors),
      events: Object.fromEntries(this.events),
      restarts: Object.fromEntries(this.restarts),
    };
  }
}

/** The counts under the types' names, in the order the types were first seen. */
function byName(types: ReadonlyMap<string, number>, byType: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, type] of types) out[name] = byType[type]!;
  return out;
}
