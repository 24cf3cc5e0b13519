// The reload command: a random valid config goes through the daemon's own reload path (App.reload: lock, diff,
// atomic swap, offers withdrawn); the report must say what changed, and the book must then match the model.
import { isDeepStrictEqual } from 'node:util';
import { Base } from './commands.js';
import { timingOfWire } from './config-arb.js';
import { seen } from './coverage.js';
import { violated } from './invariants.js';
import type { Model } from './model.js';
import { reloaded } from './reload-model.js';
import { compileOnce, type ServerUnderTest } from './server-under-test.js';

export class Reload extends Base {
  constructor(readonly wire: object) { super(); }
  toString() { return `new Reload(${JSON.stringify(this.wire)})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const before = s.config;
    const next = compileOnce(this.wire);
    const report = await s.reconfigure(this.wire);
    const expected = isDeepStrictEqual(before, next) ? 'unchanged' : 'reloaded';
    if (report.result !== expected) violated('reload', `${this}: report ${report.result}, expected ${expected}`);
    if (report.result === 'reloaded') {
      const ids = (c: typeof before) => new Set(c.subnets.map((x) => x.id));
      const added = [...ids(next)].filter((id) => !ids(before).has(id));
      if (!isDeepStrictEqual([...report.diff.subnets.added], added)) violated('reload', `${this}: diff says added ${report.diff.subnets.added}, expected ${added}`);
      seen(added.length > 0 ? 'reload:subnet-added' : 'reload:changed');
    }
    reloaded(m, next, timingOfWire(this.wire));
  }
}
