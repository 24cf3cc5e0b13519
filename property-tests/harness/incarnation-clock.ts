// A view of the shared ManualClock for one incarnation of the server: a crash cancels every timer it armed,
// as the death of a process takes its timers with it, while time itself goes on for the next incarnation.
import type { Clock, ManualClock, TimerHandle } from '../../src/clock.js';

export class IncarnationClock implements Clock {
  private readonly armed = new Set<TimerHandle>();
  private dead = false;

  constructor(private readonly base: ManualClock) {}

  now(): number {
    return this.base.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    if (this.dead) return { cancel: () => {} };
    const handle: TimerHandle = this.base.setTimer(ms, () => {
      this.armed.delete(handle);
      fn();
    });
    this.armed.add(handle);
    return {
      cancel: () => {
        this.armed.delete(handle);
        handle.cancel();
      },
    };
  }

  kill(): void {
    this.dead = true;
    for (const handle of this.armed) handle.cancel();
    this.armed.clear();
  }
}
