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
    await advanceBoth(m, s, this.ms);
  }
}

async function advanceBoth(m: Model, s: ServerUnderTest, ms: number): Promise<void> {
  const live = [...m.bindings.values()].filter((b) => m.phase(b) !== undefined);
  m.now += ms;
  await s.advance(ms);
  if (live.some((b) => m.phase(b) === undefined)) seen('advance:grace-over');
  if (live.some((b) => m.phase(b) === 'expired')) seen('advance:in-grace');
}

/** A deadline of a binding: T1, T2, the end of the lease, the end of its grace period. */
export type Boundary = 'renewAt' | 'rebindAt' | 'expiresAt' | 'graceUntil';

/**
 * Moves time to 1 ms before, onto, or 1 ms after a deadline of the client's latest binding, so the decisions that
 * turn on it (renew or rebind, expired, within grace) are checked on both sides of the line. A deadline already
 * past (or no binding) moves nothing.
 */
export class AdvanceTo extends Base {
  constructor(readonly client: string, readonly boundary: Boundary, readonly offsetMs: number) { super(); }
  toString() { return `new AdvanceTo('${this.client}', '${this.boundary}', ${this.offsetMs})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const latest = [...m.bindings.values()].filter((b) => b.client === this.client).sort((a, b) => b.boundAt - a.boundAt)[0];
    if (latest === undefined) return;
    const target = latest[this.boundary] + this.offsetMs;
    if (target <= m.now) return;
    await advanceBoth(m, s, target - m.now);
    seen(`boundary:${this.boundary}:${Math.sign(this.offsetMs)}`);
  }
}

/**
 * The renewal flow's decisions right after what changes them: a deadline of the client's binding (± 1 ms) or a
 * reload (a pool shrinks, a subnet goes), then a RENEWING or REBINDING request for its own address.
 */
export class RenewAcross extends Base {
  constructor(readonly client: string, readonly step: AdvanceTo | Reconfigure, readonly kind: 'renewing' | 'rebinding') { super(); }
  toString() { return `new RenewAcross('${this.client}', ${this.step}, '${this.kind}')`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    await this.step.run(m, s);
    await new Request(this.client, this.kind, 'own').run(m, s);
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
