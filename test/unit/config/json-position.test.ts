// The syntax-error locator agrees with JSON.parse on what is valid, and points at the fault.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn } from '../../../src/config/json-position.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('jsonErrorOffset', () => {
  it('finds no fault in any serialised JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        expect(jsonErrorOffset(JSON.stringify(value, null, pretty ? 2 : undefined))).toBeUndefined();
      }),
    );
  });

  it('agrees with JSON.parse on arbitrary and mutated text', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '0', ' '))
      .map(([text, at, insert]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated), (text) => {
        expect(jsonErrorOffset(text) === undefined).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('points at the offending character', () => {
    const text = '{\n  "interfaces": ["lab0",],\n  "subnets": []\n}';
    const offset = jsonErrorOffset(text);
    expect(offset).toBe(text.indexOf(']'));
    expect(lineColumn(text, offset ?? 0)).toEqual({ line: 2, column: 25 });
    expect(jsonErrorOffset('{"a": 1')).toBe(7);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
  });
});
