// Server-sent events for the /ui page: every lease transition as it happens, and a snapshot of the counts once a
// second (exchanges come and go too fast to send one by one). Bounded: at most `maxStreams` connections, and a
// client that does not read loses transitions (counted in its next snapshot) instead of growing our buffers.
import type { ServerResponse } from 'node:http';
import type { LeaseTransition } from '../leases/transition.js';
import type { UiDeps } from './ui-deps.js';
import { snapshotOf } from './ui-snapshot.js';

const SNAPSHOT_INTERVAL_MS = 1000;
/** Bytes queued on a connection beyond which its transitions are dropped until it catches up. */
const MAX_BUFFERED = 256 * 1024;

interface Stream {
  readonly out: ServerResponse;
  dropped: number;
}

export class UiStreams {
  private readonly streams = new Set<Stream>();
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: UiDeps) {}

  get size(): number {
    return this.streams.size;
  }

  /** Takes over the response; false when the limit of streams is reached (the caller answers 503). */
  open(out: ServerResponse): boolean {
    if (this.streams.size >= (this.deps.maxStreams ?? 32)) return false;
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const stream: Stream = { out, dropped: 0 };
    this.streams.add(stream);
    out.on('close', () => this.close(stream));
    this.send(stream, 'snapshot', snapshotOf(this.deps));
    if (this.streams.size === 1) this.start();
    return true;
  }

  /** Ends every stream (the listener is closing). */
  closeAll(): void {
    for (const stream of this.streams) stream.out.end();
    this.streams.clear();
    this.stop();
  }

  private start(): void {
    this.unsubscribe = this.deps.onLeaseTransition((t) => this.broadcast(t));
    this.timer = setInterval(() => this.tick(), SNAPSHOT_INTERVAL_MS);
    this.timer.unref();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private close(stream: Stream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) this.stop();
  }

  private broadcast(transition: LeaseTransition): void {
    for (const stream of this.streams) {
      if (stream.out.writableLength > MAX_BUFFERED) stream.dropped++;
      else this.send(stream, 'transition', transition);
    }
  }

  private tick(): void {
    if (this.streams.size === 0) return;
    const snapshot = snapshotOf(this.deps);
    for (const stream of this.streams) {
      if (stream.out.writableLength > MAX_BUFFERED) continue;
      this.send(stream, 'snapshot', { ...snapshot, droppedTransitions: stream.dropped });
    }
  }

  private send(stream: Stream, event: string, data: unknown): void {
    stream.out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
