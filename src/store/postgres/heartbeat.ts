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
  /** Each failed beat (metrics). */
  readonly onError?: () => void;
}

/** Writes this server's heartbeat and reads every other server's age, by the database's clock. */
const BEAT = `INSERT INTO servers (name, heartbeat_at, started_at, pid, version) VALUES ($1, now(), now(), $2, $3)
  ON CONFLICT (name) DO UPDATE SET heartbeat_at = now(), pid = EXCLUDED.pid, version = EXCLUDED.version
  RETURNING (SELECT coalesce(array_agg(name ORDER BY name), '{}') FROM servers WHERE name <> $1) AS names,
    (SELECT coalesce(array_agg(extract(epoch FROM now() - heartbeat_at) * 1000 ORDER BY name), '{}')
      FROM servers WHERE name <> $1) AS ages`;

export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | undefined;
  private view: PeerStatus | undefined;
  private lastRead: PeerStatus | undefined;
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

  /** The last view read, fresh or not (metrics: how old the peers' heartbeats were then). */
  lastView(): PeerStatus | undefined {
    return this.lastRead;
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
      .query<{ names: string[]; ages: number[] }>(BEAT, [name, process.pid, version])
      .then((result) => {
        const row = result.rows[0];
        const ages = new Map((row?.names ?? []).map((peer, i) => [peer, Number(row!.ages[i])]));
        const alive = new Set([...ages].filter(([, age]) => age < peerTimeoutMs).map(([peer]) => peer));
        alive.add(name);
        this.reportChange(alive);
        this.view = { alive, readAt: (this.options.now ?? Date.now)(), ages };
        this.lastRead = this.view;
        if (this.failing) logger?.info({ evt: 'scaleout.heartbeat.resumed' }, 'heartbeat written again');
        this.failing = false;
      })
      .catch((error: unknown) => {
        if (!this.failing) logger?.warn({ evt: 'scaleout.heartbeat.failed', reason: messageOf(error) }, 'heartbeat not written');
        this.options.onError?.();
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
