// The reload lock's waiting room: every caller (SIGHUP, the API, the CLI) gets the report of the first reload
// that starts after it asked. Reloads asked for while one runs are coalesced into one more run, never lost; the
// root machine's `reloading` state is the lock itself, and asks this queue to run what is waiting.
import type { ReloadReport, ReloadTrigger } from '../config/reload-report.js';

interface Waiter {
  readonly trigger: ReloadTrigger;
  readonly resolve: (report: ReloadReport) => void;
}

export class ReloadQueue {
  #waiting: Waiter[] = [];

  /**
   * @param run the reload flow, once for everyone waiting (must not throw)
   * @param request tells the supervisor a reload is wanted (it runs `runWaiting` when it holds the lock)
   */
  constructor(
    private readonly run: (triggers: readonly ReloadTrigger[]) => Promise<ReloadReport>,
    private readonly request: () => void,
  ) {}

  get waiting(): number {
    return this.#waiting.length;
  }

  ask(trigger: ReloadTrigger): Promise<ReloadReport> {
    const report = new Promise<ReloadReport>((resolve) => this.#waiting.push({ trigger, resolve }));
    this.request();
    return report;
  }

  /** One reload for everyone waiting now; those who ask meanwhile wait for the next one. */
  async runWaiting(): Promise<void> {
    const batch = this.#waiting;
    if (batch.length === 0) return;
    this.#waiting = [];
    const report = await this.run([...new Set(batch.map((w) => w.trigger))]);
    for (const waiter of batch) waiter.resolve(report);
  }

  /** The daemon stops: nobody is left waiting for a reload that will not run. */
  cancel(reason: string): void {
    const batch = this.#waiting;
    this.#waiting = [];
    for (const waiter of batch) waiter.resolve({ result: 'failed', issues: [{ path: '$', message: reason }], durationMs: 0 });
  }
}
