// Parts that fail on demand, for tests of the daemon under faults: a lease store whose writes fail or are held
// back, and a link whose sends fail with an errno.
import { StoreError } from '../../src/errors.js';
import type { Outbound } from '../../src/net/types.js';
import { DelegatingLeaseStore } from '../../src/store/delegating-store.js';
import type { LeaseWrite, StoreHealth } from '../../src/store/types.js';
import { MemoryLink } from './memory-link.js';

/** Wraps a real store; `failing` makes every write reject as a full disk would, `hold` holds them back until `release()`. */
export class FaultyStore extends DelegatingLeaseStore {
  failing = false;
  writes = 0;
  failedWrites = 0;
  closedAfterWrites: number | undefined;
  private held: (() => void)[] = [];
  hold = false;

  override async write(writes: readonly LeaseWrite[]): Promise<void> {
    this.writes += 1;
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failing) {
      this.failedWrites += 1;
      throw new StoreError('DHCPD_ERR_STORE_WRITE', 'lease store write failed: IO error: No space left on device');
    }
    return this.inner.write(writes);
  }

  /** Lets the held writes go on. */
  release(): void {
    this.hold = false;
    for (const go of this.held.splice(0)) go();
  }

  get heldWrites(): number {
    return this.held.length;
  }

  override health(): StoreHealth {
    const inner = this.inner.health();
    return { ...inner, pendingWrites: inner.pendingWrites + this.held.length };
  }

  override async close(): Promise<void> {
    this.closedAfterWrites = this.writes - this.held.length;
    return this.inner.close();
  }
}

/** A link whose sends reject with an errno error (ENOBUFS by default) the first `failures` times. */
export class FlakyLink extends MemoryLink {
  attempts = 0;
  constructor(public failures: number, private readonly errno = 'ENOBUFS') {
    super();
  }

  override async send(out: Outbound): Promise<void> {
    this.attempts += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      throw Object.assign(new Error(`send ${this.errno}`), { code: this.errno, errno: -105, syscall: 'send' });
    }
    return super.send(out);
  }
}
