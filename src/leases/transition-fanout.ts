// The lease book reports to one listener; this hands each transition on to every subscriber (history, /ui,
// metrics). A subscriber that throws is reported and does not stop the others or the book.
import type { LeaseTransition, TransitionListener } from './transition.js';

export class TransitionFanout {
  private readonly listeners = new Set<TransitionListener>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Returns the unsubscribe function. */
  subscribe(listener: TransitionListener): () => void {
    // Wrapped, so the same function subscribed twice is two subscriptions, each removed by its own unsubscribe.
    const entry: TransitionListener = (t) => listener(t);
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  readonly emit = (transition: LeaseTransition): void => {
    for (const listener of this.listeners) {
      try {
        listener(transition);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  };
}
