// The by-client address index behaves as a Map of Sets (a model), whatever the order of adds and deletes: its
// candidates are a hash's, so they always include the client's addresses, and the book checks each one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientAddresses } from '../../../src/leases/client-addresses.js';

const CLIENTS = [[1, 'a'], [1, 'b'], [2, 'a']] as const;
const IPS = [0x0a000001, 0x0a000002, 0xc6120003];

describe('ClientAddresses', () => {
  it('matches a Map of Sets for any sequence of adds and deletes', () => {
    const op = fc.record({ add: fc.boolean(), client: fc.nat(CLIENTS.length - 1), ip: fc.constantFrom(...IPS) });
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const index = new ClientAddresses();
      const model = new Map<number, Set<number>>();
      for (const { add, client, ip } of ops) {
        const [subnetId, key] = CLIENTS[client]!;
        if (add) {
          index.add(subnetId, key, ip);
          model.set(client, (model.get(client) ?? new Set()).add(ip));
        } else {
          index.delete(subnetId, key, ip);
          model.get(client)?.delete(ip);
        }
        CLIENTS.forEach(([s, k], c) => expect(new Set(index.candidates(s, k))).toEqual(model.get(c) ?? new Set()));
      }
    }));
  });

  it('hands out a copy that later changes do not touch', () => {
    const index = new ClientAddresses();
    index.add(1, 'a', IPS[0]!);
    index.add(1, 'a', IPS[1]!);
    const seen = index.candidates(1, 'a');
    index.delete(1, 'a', IPS[0]!);
    expect(seen.sort()).toEqual([IPS[0], IPS[1]]);
    expect(index.candidates(1, 'a')).toEqual([IPS[1]]);
  });

  it('keeps 10^5 clients apart and forgets each one deleted', () => {
    const index = new ClientAddresses();
    for (let i = 0; i < 100_000; i++) index.add(1, `hw:1:${i}`, 0xc6120000 + i);
    for (let i = 0; i < 100_000; i += 2) index.delete(1, `hw:1:${i}`, 0xc6120000 + i);
    for (let i = 0; i < 100_000; i++) expect(index.candidates(1, `hw:1:${i}`)).toEqual(i % 2 === 0 ? [] : [0xc6120000 + i]);
  });
});
