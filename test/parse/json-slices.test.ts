// The JSON parser builds large bodies from pieces (src/parse/json.ts): it must read
// exactly what JSON.parse reads, accept exactly what it accepts, and count values
// before they exist.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonParser } from '../../src/parse/json.js';
import type { ParseLimits } from '../../src/parse/types.js';

const parse = jsonParser();
const unlimited = (): ParseLimits & { taken: number } => {
  const l = { taken: 0, due: Infinity, takeValues: (n: number) => ((l.taken += n), undefined) };
  return l;
};

// Large enough that most documents are built from pieces (a piece is 16 KiB).
const big = fc.array(fc.jsonValue({ maxDepth: 4 }), { minLength: 50, maxLength: 400 }).map((items) => ({ items, pad: 'é"\\'.repeat(3000), nested: { more: items.slice(0, 20) } }));

describe('JSON in pieces', () => {
  it('gives what JSON.parse gives, whatever the spacing', async () => {
    await fc.assert(
      fc.asyncProperty(big, fc.constantFrom(undefined, 1, '\t', ' \r\n'), async (value, space) => {
        const text = JSON.stringify(value, null, space);
        const r = await parse(Buffer.from(text), undefined, unlimited());
        expect(r).toEqual({ ok: true, doc: JSON.parse(text) as unknown });
      }),
      { numRuns: 40 },
    );
  });

  it('accepts exactly what JSON.parse accepts: one byte changed, dropped or repeated', async () => {
    await fc.assert(
      fc.asyncProperty(big, fc.nat(), fc.constantFrom(',', ']', '}', '[', '{', ':', '"', ' ', 'x', '\\'), fc.constantFrom('replace', 'drop', 'insert'), async (value, at, ch, how) => {
        const text = JSON.stringify(value);
        const i = at % text.length;
        const bad = how === 'drop' ? text.slice(0, i) + text.slice(i + 1) : how === 'insert' ? text.slice(0, i) + ch + text.slice(i) : text.slice(0, i) + ch + text.slice(i + 1);
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(bad);
        } catch {
          valid = false;
        }
        const r = await parse(Buffer.from(bad), undefined, unlimited());
        expect(r.ok).toBe(valid);
        if (r.ok) expect(r.doc).toEqual(expected);
        else expect(r.error).toMatch(/^invalid JSON|^JSON nested/);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps __proto__ an own property, as JSON.parse does', async () => {
    const text = `{"__proto__": {"polluted": ${JSON.stringify('x'.repeat(20000))}}, "a": [${'1,'.repeat(10000)}1]}`;
    const r = await parse(Buffer.from(text), undefined, unlimited());
    expect(r.ok).toBe(true);
    const doc = (r as { doc: Record<string, unknown> }).doc;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.keys(doc)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('draws every value from the budget before building, and stops at the first refusal', async () => {
    const body = Buffer.from(`[${'{},'.repeat(200_000)}{}]`);
    let taken = 0;
    const r = await parse(body, undefined, { due: Infinity, takeValues: (n) => ((taken += n), taken > 1000 ? 'over' : undefined) });
    expect(r).toEqual({ ok: false, error: 'over' });
    // Refused at the first slice: counted, never built.
    expect(taken).toBeLessThan(200_000);
    const counted = unlimited();
    expect((await parse(body, undefined, counted)).ok).toBe(true);
    // 200,001 objects and the array.
    expect(counted.taken).toBe(200_002);
  });

  it('does not start or go on past the deadline', async () => {
    const body = Buffer.from(`[${'{},'.repeat(200_000)}{}]`);
    const r = await parse(body, undefined, { due: performance.now() - 1, takeValues: () => undefined });
    expect(r).toEqual({ ok: false, error: 'deadline exceeded while parsing' });
  });
});
