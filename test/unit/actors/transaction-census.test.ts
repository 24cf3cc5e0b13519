// The census of client exchanges watches without holding: a finished exchange (its request and reply, ~5 KB) is
// freed once the router lets go of it, however many one-time clients a flood brings.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { TransactionCensus } from '../../../src/actors/transaction-census.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

class Fake {
  status = 'active';
  readonly payload = new Uint8Array(4096);
  constructor(readonly value: string) {}
  getSnapshot() {
    return { value: this.value, status: this.status };
  }
}

describe('transaction census', () => {
  it('counts the live exchanges by state, not the finished ones', () => {
    const census = new TransactionCensus();
    const live = [census.track(new Fake('awaitingRequest')), census.track(new Fake('awaitingRequest')), census.track(new Fake('deciding'))];
    live[2]!.status = 'done';
    expect(census.counts()).toEqual({ awaitingRequest: 2 });
  });

  it('does not keep a finished exchange alive: it is collected once nothing else holds it', async () => {
    const census = new TransactionCensus();
    const collected: string[] = [];
    const registry = new FinalizationRegistry<string>((name) => collected.push(name));
    const kept = census.track(new Fake('awaitingRequest'));
    (() => {
      for (let i = 0; i < 50; i++) registry.register(census.track(new Fake('awaitingRequest')), `t${i}`);
    })();
    for (let i = 0; i < 5 && collected.length < 50; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected).toHaveLength(50);
    expect(census.counts()).toEqual({ awaitingRequest: 1 });
    expect(census.size).toBe(1);
    expect(kept.value).toBe('awaitingRequest');
  });
});
