// The served interfaces as last learnt (index, MAC, addresses), re-read periodically and whenever a link misbehaves.
import type { Logger } from '../log.js';
import { interfaceFacing } from './addressing.js';
import { discoverInterfaces, sameInterfaces, type Discovery } from './interfaces.js';
import type { InterfaceInfo } from './types.js';

export type NetLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** At most one out-of-schedule re-read per this many ms: a flapping link must not turn into a sysfs storm. */
const MIN_REFRESH_GAP_MS = 1_000;

export class LinkTable {
  private byIndex = new Map<number, InterfaceInfo>();
  private byName = new Map<string, InterfaceInfo>();
  private current: readonly InterfaceInfo[] = [];
  private missing: readonly string[] = [];
  private locals: ReadonlySet<string> = new Set();
  private lastRefresh = Number.NEGATIVE_INFINITY;
  refreshes = 0;

  constructor(
    private readonly names: readonly string[],
    private readonly log: NetLogger,
    private readonly discover: (names: readonly string[]) => Discovery = discoverInterfaces,
    private readonly now: () => number = Date.now,
  ) {}

  /** Re-reads every listed interface; logs only what changed. Never throws. */
  refresh(reason: string): readonly InterfaceInfo[] {
    this.lastRefresh = this.now();
    this.refreshes++;
    let found: Discovery;
    try {
      found = this.discover(this.names);
    } catch (error) {
      this.log.warn({ evt: 'net.interfaces_unreadable', err: error, reason }, 'could not read the interfaces');
      return this.current;
    }
    if (!sameInterfaces(found.found, this.current)) {
      this.log.info({ evt: 'net.interfaces', reason, interfaces: found.found }, 'serving interfaces (re)learnt');
    }
    if (found.missing.join() !== this.missing.join() && found.missing.length > 0) {
      this.log.warn({ evt: 'net.interface_missing', reason, missing: found.missing }, 'listed interfaces not present');
    }
    this.current = found.found;
    this.missing = found.missing;
    this.locals = new Set(found.localAddresses ?? []);
    this.byIndex = new Map(found.found.map((i) => [i.index, i]));
    this.byName = new Map(found.found.map((i) => [i.name, i]));
    return this.current;
  }

  /** A refresh now unless one ran less than MIN_REFRESH_GAP_MS ago. */
  refreshSoon(reason: string): void {
    if (this.now() - this.lastRefresh >= MIN_REFRESH_GAP_MS) this.refresh(reason);
  }

  list(): readonly InterfaceInfo[] {
    return this.current;
  }

  index(ifindex: number): InterfaceInfo | undefined {
    return this.byIndex.get(ifindex);
  }

  /** By name; an unknown name triggers one (rate-limited) re-read first, as the link may have just appeared. */
  named(name: string): InterfaceInfo | undefined {
    const known = this.byName.get(name);
    if (known !== undefined || !this.names.includes(name)) return known;
    this.refreshSoon(`unknown interface ${name}`);
    return this.byName.get(name);
  }

  /** Whether `address` is one of this host's IPv4 addresses (on any interface), as of the last refresh. */
  isLocal(address: string): boolean {
    return this.locals.has(address);
  }

  facing(destination: string): InterfaceInfo | undefined {
    return interfaceFacing(this.current, destination);
  }
}
