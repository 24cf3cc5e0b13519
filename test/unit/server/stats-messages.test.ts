// The message counters by type (counted in arrays, named at snapshot) against a plain Map model: the same counts
// under the same names, in the order the types were first seen, for any sequence of received and sent messages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { messageName, Stats } from '../../../src/server/stats.js';

const type = fc.constantFrom(...(Object.values(MessageType).filter((v) => typeof v === 'number') as MessageType[]));

describe('message counters', () => {
  it('agree with a Map of counts by name, order included', () => {
    fc.assert(fc.property(fc.array(fc.record({ sent: fc.boolean(), type }), { maxLength: 200 }), (events) => {
      const stats = new Stats();
      const model = { received: new Map<string, number>(), sent: new Map<string, number>() };
      for (const e of events) {
        const table = e.sent ? model.sent : model.received;
        table.set(messageName(e.type), (table.get(messageName(e.type)) ?? 0) + 1);
        if (e.sent) stats.sentMessage(e.type);
        else stats.receivedMessage(e.type);
        const snapshot = stats.snapshot();
        expect(Object.entries(snapshot['received']!)).toEqual([...model.received]);
        expect(Object.entries(snapshot['sent']!)).toEqual([...model.sent]);
      }
    }));
  });
});
