// The by-client address index behaves as a Map of Sets (a model), whatever the order of adds and deletes, while
// keeping a single address as a plain string.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientAddresses } from '../../../src/leases/client-addresses.js';

describe('ClientAddresses', () => {
  it('matches a Map of Sets for any sequence of adds and deletes', () => {
    const op = fc.record({ add: fc.boolean(), client: fc.constantFrom('1/a', '1/b', '2/a'), ip: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3') });
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const index = new ClientAddresses();
      const model = new Map<string, Set<string>>();
      for (const { add, client, ip } of ops) {
        if (add) {
          index.add(client, ip);
          model.set(client, (model.get(client) ?? new Set()).add(ip));
        } else {
          index.delete(client, ip);
          model.get(client)?.delete(ip);
        }
        for (const c of ['1/a', '1/b', '2/a']) expect(new Set(index.of(c))).toEqual(model.get(c) ?? new Set());
      }
    }));
  });

  it('hands out a copy that later changes do not touch', () => {
    const index = new ClientAddresses();
    index.add('1/a', '10.0.0.1');
    index.add('1/a', '10.0.0.2');
    const seen = index.of('1/a');
    index.delete('1/a', '10.0.0.1');
    expect(seen).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(index.of('1/a')).toEqual(['10.0.0.2']);
  });
});
