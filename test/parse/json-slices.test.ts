// The JSON parser builds large bodies from pieces (src/parse/json.ts): it must read
// exactly what JSON.parse reads, accept exactly what it accepts, and count values
// before they exist.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonParser, WHOLE_VALUES } from '../../src/parse/json.js';
import type { ParseLimits } from '../../src/parse/types.js';

// Always in pieces: these tests are of the piece builder (small bodies are one JSON.parse).
const parse = jsonParser({ wholeBytes: 0 });
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

  describe('one JSON.parse for a body small enough', () => {
    const whole = jsonParser();
    it('counts every value before parsing and honours the deadline and the nesting', async () => {
      const body = Buffer.from(JSON.stringify({ items: Array.from({ length: 3000 }, (_, i) => ({ name: `n${i}`, v: i, pad: 'x'.repeat(20) })) }));
      const counted = unlimited();
      const r = await whole(body, undefined, counted);
      expect(r).toEqual({ ok: true, doc: JSON.parse(body.toString()) as unknown });
      // The object, the array, 3,000 items of 3 members each.
      expect(counted.taken).toBe(2 + 3000 * 4);
      let taken = 0;
      expect(await whole(body, undefined, { due: Infinity, takeValues: (n) => ((taken += n), taken > 100 ? 'over' : undefined) })).toEqual({ ok: false, error: 'over' });
      expect(await whole(body, undefined, { due: performance.now() - 1, takeValues: () => undefined })).toEqual({ ok: false, error: 'deadline exceeded while parsing' });
      const deep = Buffer.from(`{"pad":"${'x'.repeat(20000)}","d":${'['.repeat(1001)}${']'.repeat(1001)}}`);
      expect(await whole(deep, undefined, unlimited())).toEqual({ ok: false, error: 'JSON nested deeper than 1000 levels' });
    });

    it('builds a body of more values than one parse may take in slices, the event loop served between two', async () => {
      const body = Buffer.from(`[${'{},'.repeat(WHOLE_VALUES * 2)}{}]`);
      let turns = 0;
      const ticking = setInterval(() => turns++, 0);
      const pending = whole(body, undefined, unlimited());
      const r = await pending;
      clearInterval(ticking);
      expect(r.ok).toBe(true);
      expect((r as { doc: unknown[] }).doc).toHaveLength(WHOLE_VALUES * 2 + 1);
      expect(turns).toBeGreaterThan(0);
    });
  });
});
