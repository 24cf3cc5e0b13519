// Group commit: merges concurrent write requests into one synced batch, one batch in flight at a time.
import { StoreError } from '../errors.js';
import type { StoreHealth } from './types.js';

export interface GroupCommitOptions {
  /** Most writes merged into one batch; a single request is never split, so one may exceed it. */
  readonly maxBatch: number;
  /**
   * How long a batch gathers requests before it starts: from the first request's arrival when the committer was
   * idle, from the previous commit's end when requests queued during it (fewer, larger synced writes under load);
   * 0 = commit on the next event-loop turn, or at once after the previous commit.
   */
  readonly commitIntervalMs: number;
  /** Called after a batch fails (every caller of it is already rejected). */
  readonly onFailure?: (error: StoreError, requests: number) => void;
  /** Called when a batch succeeds after one or more failed. */
  readonly onRecover?: () => void;
  /** Called after each committed batch with its size and how long the synced write took (metrics). */
  readonly onCommit?: (writes: number, durationMs: number) => void;
}

/**
 * The requests that will commit as one batch, made as they are submitted: their writes in request order, and the
 * one promise every one of them is given (a batch's requests share its outcome). Grouped at submission rather than
 * when the batch starts, a request costs no promise, closures or record of its own (it was three per lease write,
 * plus the concatenation of their writes at each commit).
 */
interface Group<W> {
  readonly writes: W[];
  requests: number;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: StoreError) => void;
}

function newGroup<W>(): Group<W> {
  let resolve!: () => void;
  let reject!: (error: StoreError) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { writes: [], requests: 0, done, resolve, reject };
}

export interface GroupCommitStats {
  readonly writable: boolean;
  readonly lastError?: string;
  /** Requests queued or in flight. */
  readonly pending: number;
  /** Writes queued now, not yet in a batch (the queue depth). */
  readonly queuedWrites: number;
  /** Batches that committed successfully. */
  readonly commits: number;
  readonly failures: number;
  /** Writes in the committed batches, and the time their synced writes took (ms), since the start. */
  readonly committedWrites: number;
  readonly commitMs: number;
  /** Batches that left writes queued because they reached maxBatch. */
  readonly fullBatches: number;
}

/** The knobs of a committer that may change while it runs (adaptive tuning). */
export interface CommitLimits {
  readonly maxBatch: number;
  readonly commitIntervalMs: number;
}

/** A commit that took this many gathering windows or more is not followed by one (see gathersAfterCommit). */
const SLOW_COMMIT_WINDOWS = 4;

/**
 * Requests queue while a batch is in flight and all go into the next batch, so N concurrent callers cost about
 * N / maxBatch syncs instead of N. Batches run strictly one after another in request order, which is what makes
 * two writes to the same key land in the order they were requested.
 */
export class GroupCommitter<W> {
  /** The batches waiting, oldest first; requests join the last one until it is full. */
  private readonly queue: Group<W>[] = [];
  private queuedWrites = 0;
  private queuedRequests = 0;
  /** Requests of the batch being committed. */
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  /** True from the moment a commit loop starts until it finds the queue empty (in the same synchronous step). */
  private active = false;
  private running: Promise<void> = Promise.resolve();
  private commits = 0;
  private failures = 0;
  private lastError: string | undefined;
  private writable = true;
  private committedWrites = 0;
  private commitMs = 0;
  private fullBatches = 0;
  /** How long the last batch took (Infinity after a failure: no gathering before a retry). */
  private lastCommitMs = 0;
  private current: CommitLimits;

  constructor(
    private readonly commitBatch: (writes: readonly W[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
  ) {
    this.current = checkedLimits(options);
  }

  limits(): CommitLimits {
    return this.current;
  }

  /**
   * Takes effect from the next batch that requests start to fill (and the next gathering delay); throws TypeError
   * on a value out of range.
   */
  setLimits(limits: CommitLimits): void {
    this.current = checkedLimits(limits);
  }

  /** Resolves once the batch holding these writes has committed; rejects with DHCPD_ERR_STORE_WRITE if it failed. */
  submit(writes: readonly W[]): Promise<void> {
    let group = this.queue[this.queue.length - 1];
    // A request is never split: it starts a new batch when it would take the last one beyond maxBatch.
    if (group === undefined || (group.writes.length > 0 && group.writes.length + writes.length > this.current.maxBatch)) {
      group = newGroup<W>();
      this.queue.push(group);
    }
    for (let i = 0; i < writes.length; i++) group.writes.push(writes[i]!);
    group.requests += 1;
    this.queuedWrites += writes.length;
    this.queuedRequests += 1;
    this.schedule();
    return group.done;
  }

  /** Commits everything queued now (no gathering delay) and resolves when the queue is empty. */
  async drain(): Promise<void> {
    do {
      this.cancelTimers();
      this.start();
      await this.running;
    } while (this.active || this.queue.length > 0);
  }

  stats(): GroupCommitStats {
    return {
      writable: this.writable,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      pending: this.queuedRequests + this.inFlight,
      queuedWrites: this.queuedWrites,
      commits: this.commits,
      failures: this.failures,
      committedWrites: this.committedWrites,
      commitMs: this.commitMs,
      fullBatches: this.fullBatches,
    };
  }

  /**
   * The store's health as far as its commits tell it (every store built on a committer reports this). Asked before
   * every lease write: one object, no spread.
   */
  health(): StoreHealth {
    const pendingWrites = this.queuedRequests + this.inFlight;
    return this.lastError === undefined
      ? { writable: this.writable, pendingWrites, commits: this.commits }
      : { writable: this.writable, lastError: this.lastError, pendingWrites, commits: this.commits };
  }

  private schedule(): void {
    if (this.active) return; // the running loop picks the request up after the current batch
    if (this.queuedWrites >= this.current.maxBatch) {
      this.cancelTimers();
      this.start();
      return;
    }
    if (this.timer !== undefined || this.immediate !== undefined) return;
    this.gather();
  }

  /** Starts the next batch after the gathering window (or on the next event-loop turn when it is 0). */
  private gather(): void {
    if (this.current.commitIntervalMs === 0) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.start();
      });
    } else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, this.current.commitIntervalMs);
    }
  }

  private cancelTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private start(): void {
    if (this.active || this.queue.length === 0) return;
    this.active = true;
    this.running = this.loop();
  }

  /**
   * Never rejects: each batch's outcome goes to its own callers. `active` is cleared in the same synchronous
   * step that sees the queue empty; clearing it later (in a .finally) would strand a request submitted by a
   * caller's continuation in between.
   */
  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.take();
      this.inFlight = batch.requests;
      await this.commitOne(batch);
      this.inFlight = 0;
      if (this.gathersAfterCommit()) {
        // What queued during the commit waits out the window for company (schedule() starts it early if the
        // batch fills), so under a steady load the window, not the arrival of each write, sets the sync rate.
        this.active = false;
        this.gather();
        return;
      }
    }
    this.active = false;
  }

  /**
   * Not after a commit that took several windows: the server is behind (under overload a commit's time is mostly
   * the event loop's delay), what queued has already waited longer than the window, and the syncs are already few;
   * a pause would only add an event-loop turn to every ACK's wait.
   */
  private gathersAfterCommit(): boolean {
    const window = this.current.commitIntervalMs;
    return this.queue.length > 0 && window > 0 && this.queuedWrites < this.current.maxBatch && this.lastCommitMs < SLOW_COMMIT_WINDOWS * window;
  }

  private take(): Group<W> {
    const batch = this.queue.shift()!;
    this.queuedWrites -= batch.writes.length;
    this.queuedRequests -= batch.requests;
    if (this.queue.length > 0) this.fullBatches += 1;
    return batch;
  }

  private async commitOne(batch: Group<W>): Promise<void> {
    const { writes } = batch;
    const started = performance.now();
    try {
      await this.commitBatch(writes);
    } catch (cause) {
      this.fail(batch, cause);
      return;
    }
    const durationMs = performance.now() - started;
    this.lastCommitMs = durationMs;
    this.commits += 1;
    this.committedWrites += writes.length;
    this.commitMs += durationMs;
    if (this.options.onCommit !== undefined) notify(() => this.options.onCommit?.(writes.length, durationMs));
    if (!this.writable) {
      this.writable = true;
      notify(() => this.options.onRecover?.());
    }
    batch.resolve();
  }

  private fail(batch: Group<W>, cause: unknown): void {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new StoreError('DHCPD_ERR_STORE_WRITE', `lease store write failed: ${reason}`, {
      cause,
      details: { requests: batch.requests },
    });
    this.failures += 1;
    this.lastCommitMs = Infinity;
    this.writable = false;
    this.lastError = error.message;
    batch.reject(error);
    notify(() => this.options.onFailure?.(error, batch.requests));
  }
}

function notify(observer: () => void): void {
  try {
    observer();
  } catch {
    // A throwing observer must not break the commit loop: it would strand every later request.
  }
}

function checkedLimits({ maxBatch, commitIntervalMs }: CommitLimits): CommitLimits {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new TypeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  }
  if (!Number.isFinite(commitIntervalMs) || commitIntervalMs < 0) {
    throw new TypeError(`commitIntervalMs must be >= 0, got ${commitIntervalMs}`);
  }
  return { maxBatch, commitIntervalMs };
}

/** What a store's options say about its committer (LevelDB and PostgreSQL take the same ones). */
export interface StoreCommitSettings {
  readonly maxBatch?: number;
  readonly commitIntervalMs?: number;
  readonly logger?: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  readonly onCommit?: (writes: number, durationMs: number) => void;
}

/** A store's committer options: its defaults, and the failure / recovery log lines every store writes alike. */
export function storeCommitOptions(settings: StoreCommitSettings): GroupCommitOptions {
  const { logger, onCommit } = settings;
  return {
    maxBatch: settings.maxBatch ?? 1000,
    commitIntervalMs: settings.commitIntervalMs ?? 0,
    onFailure: (error, requests) => logger?.error({ evt: 'store.write.failed', err: error, requests }, 'lease store write failed'),
    onRecover: () => logger?.info({ evt: 'store.write.recovered' }, 'lease store writable again'),
    ...(onCommit === undefined ? {} : { onCommit }),
  };
}
