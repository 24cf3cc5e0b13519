// Restarts the database after a failed write, before the next one. LevelDB's log writer does not rewind after a
// failed append (disk full, I/O error): later records would sit misaligned after the torn one and could be
// dropped when the log is replayed. Re-opening replays the log up to the torn tail (nothing after it was ever
// acknowledged) and starts a fresh log file. Re-open attempts that fail are spaced by a backoff.
import { StoreError } from '../errors.js';
import { backoffDelay, type BackoffPolicy } from '../config/supervision-policy.js';

export interface ReopenLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ReopenOptions {
  readonly backoff: BackoffPolicy;
  readonly now: () => number;
  readonly logger?: ReopenLogger;
}

export class ReopenGate {
  private needed = false;
  private failedAttempts = 0;
  private nextAttemptAt = 0;

  constructor(
    private readonly reopen: () => Promise<void>,
    private readonly options: ReopenOptions,
  ) {}

  /** Whether the next write must re-open the database first. */
  get pending(): boolean {
    return this.needed;
  }

  markFailed(): void {
    this.needed = true;
  }

  /** Re-opens when a write failed before; rejects with DHCPD_ERR_STORE_UNAVAILABLE while that is not possible. */
  async ensureOpen(): Promise<void> {
    if (!this.needed) return;
    const now = this.options.now();
    if (now < this.nextAttemptAt) {
      throw new StoreError('DHCPD_ERR_STORE_UNAVAILABLE', `lease store re-open deferred for ${this.nextAttemptAt - now} ms`);
    }
    try {
      await this.reopen();
    } catch (cause) {
      this.failedAttempts += 1;
      const delayMs = backoffDelay(this.options.backoff, this.failedAttempts);
      this.nextAttemptAt = now + delayMs;
      this.options.logger?.warn({ evt: 'store.reopen.failed', err: cause, attempt: this.failedAttempts, delayMs },
        'lease store could not be re-opened');
      throw new StoreError('DHCPD_ERR_STORE_UNAVAILABLE', `lease store could not be re-opened: ${messageOf(cause)}`, { cause });
    }
    this.options.logger?.info({ evt: 'store.reopened', attempts: this.failedAttempts + 1 }, 'lease store re-opened after a failed write');
    this.needed = false;
    this.failedAttempts = 0;
    this.nextAttemptAt = 0;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
