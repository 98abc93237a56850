// The sample set's fast paths (label text and key from pieces of a shared label-name
// array; no sort for a family added in key order) against its slow ones: the same
// exposition whatever the order the series came in and whether the names array is shared.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exposeText } from '../../src/metrics/expose.js';
import { SampleSet } from '../../src/metrics/samples.js';

// Values that sort near the key's separators (\u0000–\u0002), need escaping, or are empty (absent).
const value = fc.oneof(fc.constantFrom('', 'a', 'a\u0000', 'a\u0001b', '\u0002', 'say "hi"', 'C:\\d', 'two\nlines', 'b', 'a ', 'ä'), fc.string({ maxLength: 3 }));
const series = fc.array(fc.tuple(fc.array(value, { minLength: 2, maxLength: 2 }), fc.double()), { maxLength: 30 });

function fill(rows: Array<[string[], number]>, shared: boolean): SampleSet {
  const set = new SampleSet();
  const names = ['a', 'b'];
  for (const [values, v] of rows) set.add('m', 'h', 'gauge', shared ? names : ['a', 'b'], values, v);
  return set;
}

describe('sample set fast paths', () => {
  it('writes the same exposition in any order of arrival, with shared or fresh names', () => {
    fc.assert(
      fc.property(series, (rows) => {
        const expected = exposeText([fill(rows, false)]);
        expect(exposeText([fill(rows, true)])).toBe(expected);
        // The first occurrence of a label set wins: compared on rows without repeats.
        const seen = new Set<string>();
        const unique = rows.filter(([values]) => {
          const k = JSON.stringify(values);
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        const forward = exposeText([fill(unique, true)]);
        expect(exposeText([fill([...unique].reverse(), true)])).toBe(forward);
        const ordered = [...fill(unique, true).families.values()][0];
        if (ordered) {
          const keys = [...ordered.samples.keys()];
          const sorted = [...keys].sort();
          const inOrder = new SampleSet();
          for (const k of sorted) {
            const s = ordered.samples.get(k)!;
            inOrder.add('m', 'h', 'gauge', ['a', 'b'], ['a', 'b'].map((n) => s.labels[n] ?? ''), s.value);
          }
          expect(exposeText([inOrder])).toBe(forward);
        }
      }),
      { numRuns: 300 },
    );
  });
});
