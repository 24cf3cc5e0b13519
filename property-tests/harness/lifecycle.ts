// Commands on the server's life rather than its clients: time, config reloads, crashes (also in the middle of a
// commit) and clean restarts.
import { messageTypeOf } from '../../src/codec/index.js';
import { MessageType } from '../../src/codec/types.js';
import { Base, Discover, Request, pick } from './commands.js';
import { seen } from './coverage.js';
import { violated } from './invariants.js';
import { Model } from './model.js';
import { reloaded } from './reload-model.js';
import { VARIANTS, type Variant } from './scenario.js';
import { compileOnce, type ServerUnderTest } from './server-under-test.js';

export class Advance extends Base {
  constructor(readonly ms: number) { super(); }
  toString() { return `new Advance(${this.ms})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const live = [...m.bindings.values()].filter((b) => m.phase(b) !== undefined);
    m.now += this.ms;
    await s.advance(this.ms);
    if (live.some((b) => m.phase(b) === undefined)) seen('advance:grace-over');
    if (live.some((b) => m.phase(b) === 'expired')) seen('advance:in-grace');
  }
}

export class Reconfigure extends Base {
  constructor(readonly variant: Variant) { super(); }
  toString() { return `new Reconfigure('${this.variant}')`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    m.variant = this.variant;
    await s.reconfigure(VARIANTS[this.variant]);
    reloaded(m, compileOnce(VARIANTS[this.variant]));
  }
}

export class Crash extends Base {
  toString() { return 'new Crash()'; }
  protected override restarts() { return true; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    await s.crash();
    if (m.bindings.size > 0) seen('crash:with-bindings');
    m.crashed();
  }
}

export class Restart extends Base {
  toString() { return 'new Restart()'; }
  protected override restarts() { return true; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    await s.restart();
    m.crashed();
  }
}

/**
 * A crash in the middle of a commit: DISCOVER, then the REQUEST while the disk never completes the write, then the
 * process dies. An ACK seen before the crash would be a lease the store never had (RFC 2131 §4.3.2 and the
 * durability rule: no ACK before the synced write).
 */
export class CrashInFlight extends Base {
  constructor(readonly client: string) { super(); }
  toString() { return `new CrashInFlight('${this.client}')`; }
  protected override restarts() { return true; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const c = Model.client(this.client);
    await new Discover(this.client).run(m, s);
    const request = new Request(this.client, 'selecting', 'own');
    const a = pick(m, c, 'own');
    const { message, route } = request.message(c, a);
    const replies = await s.sendThenCrash(message, route);
    const ack = replies.find((r) => messageTypeOf(r) === MessageType.ACK);
    if (ack !== undefined) violated('durable', `${this}: ACK for ${ack.yiaddr} sent before its write was acknowledged`);
    seen('crash:mid-commit');
    m.crashed();
  }
}
