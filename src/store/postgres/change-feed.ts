// Keeps this server's view of the shared lease database fresh: LISTEN for the announcement every committed
// change makes (migration 001's statement trigger), then read everything numbered after the last change seen.
// A slow poll does the same read in case a notification was missed (the listening connection dropped).
import pg from 'pg';
import type { StoreLogger } from '../level-store.js';
import { backoffDelay, type BackoffPolicy } from '../../config/supervision-policy.js';
import { SQL, type ChangeRow } from './statements.js';

export const CHANNEL = 'actor_dhcpd_leases';
const PAGE = 1000;

export interface ChangeFeedOptions {
  readonly pool: pg.Pool;
  readonly listenConfig: pg.ClientConfig;
  readonly pollIntervalMs: number;
  readonly backoff: BackoffPolicy;
  readonly logger?: StoreLogger;
  /** Every committed row after the start, in commit order. */
  readonly onRow: (row: ChangeRow) => void;
  /** The listening connection failed or dropped (metrics). */
  readonly onConnectionError?: () => void;
}

export class ChangeFeed {
  private cursor = 0;
  private listener: pg.Client | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: ChangeFeedOptions) {}

  /** Starts after the newest change now committed (the caller loads the rows as they are). */
  async start(): Promise<void> {
    const result = await this.options.pool.query<{ seq: string }>(SQL.lastChange);
    this.cursor = Number(result.rows[0]?.seq ?? 0);
    this.pollTimer = setInterval(() => this.catchUp(), this.options.pollIntervalMs);
    this.pollTimer.unref();
    await this.listen().catch(() => this.listenFailed());
  }

  /** Reads every change after the cursor; calls made while a read runs are folded into one more read. */
  catchUp(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reading !== undefined) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.readAll()
      .catch((error: unknown) => this.options.logger?.warn({ evt: 'store.feed.read_failed', err: error }, 'reading lease changes failed'))
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          void this.catchUp();
        }
      });
    return this.reading;
  }

  /** Whether notifications arrive now (the LISTEN connection is up). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.reading;
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const result = await this.options.pool.query<ChangeRow>(SQL.changesSince, [this.cursor, PAGE]);
      for (const row of result.rows) {
        this.cursor = Number(row.seq);
        this.options.onRow(row);
      }
      if (result.rows.length < PAGE) return;
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(this.options.listenConfig);
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', () => void this.catchUp());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    if (this.failures > 0) {
      this.options.logger?.info({ evt: 'store.feed.resumed', attempts: this.failures }, 'following lease changes again');
    }
    this.failures = 0;
    // Whatever was committed while nobody listened.
    void this.catchUp();
  }

  private lost(client: pg.Client): void {
    if (this.listener !== client || this.stopped) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.options.logger?.warn({ evt: 'store.feed.lost' }, 'lost the lease change notifications: reconnecting (polling meanwhile)');
    this.options.onConnectionError?.();
    this.scheduleReconnect();
  }

  private listenFailed(): void {
    this.options.onConnectionError?.();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer !== undefined) return;
    this.failures += 1;
    const delay = backoffDelay(this.options.backoff, this.failures);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen().catch(() => this.listenFailed());
    }, delay);
    this.reconnectTimer.unref();
  }
}
