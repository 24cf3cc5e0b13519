// The config in force, swappable while the daemon serves: every component reads it through `read` (never a copy
// taken at start), so one assignment switches all of them at once, between two packets. Generic over the config
// type, so a section any component adds (security, control, …) is swapped with the rest.

/** Told of each swap, synchronously, before the next packet is read. */
export type ConfigListener<T> = (next: T, previous: T) => void;

export class ConfigHolder<T> {
  #current: T;
  readonly #listeners: ConfigListener<T>[] = [];

  constructor(initial: T) {
    this.#current = initial;
  }

  /** The config in force; a bound function, to hand to components as `config: () => T`. */
  readonly read = (): T => this.#current;

  /** Listeners run in the order they subscribed; returns the unsubscribe function. */
  subscribe(listener: ConfigListener<T>): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  /**
   * Puts `next` in force and tells every listener. If one throws, the previous config is put back, every listener
   * is told of that (so components that already applied `next` undo it), and the error is rethrown.
   */
  swap(next: T): void {
    const previous = this.#current;
    this.#current = next;
    try {
      for (const listener of [...this.#listeners]) listener(next, previous);
    } catch (error) {
      this.#current = previous;
      for (const listener of [...this.#listeners]) {
        try {
          listener(previous, next);
        } catch {
          // Rolling back as far as possible: the first failure is the one reported.
        }
      }
      throw error;
    }
  }
}
