// Heartbeats of the servers sharing the lease database: each updates its row every heartbeatMs and reads every
// row's age by the database's clock (no clock skew between servers), which tells the live peers.
import type pg from 'pg';
import type { StoreLogger } from '../level-store.js';
import type { PeerStatus } from '../shared.js';

export interface HeartbeatOptions {
  readonly pool: pg.Pool;
  readonly name: string;
  readonly intervalMs: number;
  readonly peerTimeoutMs: number;
  readonly version: string;
  readonly logger?: StoreLogger;
  readonly now?: () => number;
}

const BEAT = `INSERT INTO servers (name, heartbeat_at, started_at, pid, version) VALUES ($1, now(), now(), $2, $3)
  ON CONFLICT (name) DO UPDATE SET heartbeat_at = now(), pid = EXCLUDED.pid, version = EXCLUDED.version
  RETURNING (SELECT coalesce(array_agg(name), '{}') FROM servers
    WHERE name <> $1 AND heartbeat_at > now() - make_interval(secs => $4 / 1000.0)) AS alive`;

export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | undefined;
  private view: PeerStatus | undefined;
  private failing = false;
  private beating: Promise<void> | undefined;

  constructor(private readonly options: HeartbeatOptions) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs);
    this.timer.unref();
  }

  /** The last view; undefined once a beat failed or the view aged past peerTimeoutMs (this server is cut off). */
  status(): PeerStatus | undefined {
    const now = (this.options.now ?? Date.now)();
    if (this.view === undefined || now - this.view.readAt > this.options.peerTimeoutMs) return undefined;
    return this.view;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.beating;
  }

  private reportChange(alive: ReadonlySet<string>): void {
    const before = this.view?.alive ?? new Set<string>();
    const joined = [...alive].filter((p) => !before.has(p));
    const left = [...before].filter((p) => !alive.has(p));
    if (joined.length === 0 && left.length === 0) return;
    this.options.logger?.info({ evt: 'scaleout.peers.changed', alive: [...alive].sort(), joined, left },
      'the set of live servers changed');
  }

  /** One update-and-read; a failure is logged once until a beat succeeds again. */
  private beat(): Promise<void> {
    if (this.beating !== undefined) return this.beating;
    const { pool, name, version, peerTimeoutMs, logger } = this.options;
    this.beating = pool
      .query<{ alive: string[] }>(BEAT, [name, process.pid, version, peerTimeoutMs])
      .then((result) => {
        const alive = new Set(result.rows[0]?.alive ?? []);
        alive.add(name);
        this.reportChange(alive);
        this.view = { alive, readAt: (this.options.now ?? Date.now)() };
        if (this.failing) logger?.info({ evt: 'scaleout.heartbeat.resumed' }, 'heartbeat written again');
        this.failing = false;
      })
      .catch((error: unknown) => {
        if (!this.failing) logger?.warn({ evt: 'scaleout.heartbeat.failed', reason: messageOf(error) }, 'heartbeat not written');
        this.failing = true;
        // This server cannot reach the database: it is the one cut off, whatever it last saw of the others.
        this.view = undefined;
      })
      .finally(() => {
        this.beating = undefined;
      });
    return this.beating;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
