// Request templates filled with any value: the URL stays on the target's origin with the
// value as data where the template put it, and bodies parse with the value in place.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBody, buildUrl, checkParam, compileBody, compileParam, compileQueryValue, compileRequestPath, ParamError, type CompiledParam } from '../../src/module/url-plan.js';

const free = (): CompiledParam => ({ fallback: null, rule: undefined, test: undefined });
const params = new Map<string, CompiledParam>([['v', free()], ['w', free()]]);

const url = (path: string, base: string, values: Record<string, string>, query: Record<string, string> = {}): URL =>
  buildUrl('m', compileRequestPath(path, params), Object.entries(query).map(([k, q]) => [k, compileQueryValue(q, params)] as const), new URL(base), values);

// Strings with URL and JSON syntax in them, and any Unicode.
const syntax = fc.constantFrom('/', '\\', '?', '#', '%', '.', '..', '"', ':', '@', '&', '=', '+', ' ', '\r', '\n', '\0', '{', '}', '%2F', '%2e', '//', 'http://x');
const anyValue = fc.array(fc.oneof(syntax, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), { maxLength: 6 })
  .map((parts) => parts.join(''))
  .filter((v) => !/\p{Cs}/u.test(v));
const bases = fc.constantFrom('http://device.example:8080/', 'https://[::1]/jenkins/', 'http://10.0.0.1/a/b?x=1');

describe('a URL from a template (property)', () => {
  it('stays on the target origin; each value is exactly one path segment, or a 400', () => {
    fc.assert(
      fc.property(anyValue, bases, fc.constantFrom('/api/{v}/x', 'api/{v}/x', './{v}', '/{v}'), (v, base, template) => {
        let u: URL;
        try {
          u = url(template, base, { v });
        } catch (err) {
          // Only a value that completes a dot segment is refused.
          expect(err).toBeInstanceOf(ParamError);
          expect(['.', '..']).toContain(v);
          return;
        }
        expect(u.origin).toBe(new URL(base).origin);
        expect(u.hash).toBe('');
        const segments = u.pathname.split('/');
        const at = template.startsWith('/') ? template.split('/').indexOf('{v}') : new URL(base).pathname.split('/').length - 1 + template.replace(/^\.\//, '').split('/').indexOf('{v}');
        expect(decodeURIComponent(segments[at]!)).toBe(v);
      }),
      { numRuns: 500 },
    );
  });

  it('a query value after "?" and in query: is exactly the value', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const u = url('/find?name={v}&x=1', 'http://d/', { v }, { extra: 'a{v}b' });
        expect(u.searchParams.get('name')).toBe(v);
        expect(u.searchParams.get('extra')).toBe(`a${v}b`);
        expect(u.searchParams.getAll('x')).toEqual(['1']);
        expect(u.pathname).toBe('/find');
      }),
      { numRuns: 300 },
    );
  });

  it('|path adds segments, each escaped, and refuses what leaves the path', () => {
    fc.assert(
      fc.property(fc.array(anyValue.filter((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('/')), { maxLength: 4 }), bases, (segments, base) => {
        const prefix = segments.map((s) => `${s}/`).join('');
        const u = url('/{v|path}api/json', base, { v: prefix });
        expect(u.origin).toBe(new URL(base).origin);
        expect(u.pathname.split('/').slice(1).map(decodeURIComponent)).toEqual([...segments, 'api', 'json']);
      }),
      { numRuns: 300 },
    );
    for (const bad of ['/other:8080/', 'a//b/', '../', 'a/./', 'a/../b/']) {
      expect(() => url('/{v|path}api/json', 'http://d/', { v: bad })).toThrow(ParamError);
    }
  });

  it('a value completing a dot segment with the text around it is refused too', () => {
    expect(() => url('/a/.{v}/b', 'http://d/', { v: '.' })).toThrow(/would make a "\.\." path segment/);
    expect(() => url('/a/{v}{w}/b', 'http://d/', { v: '.', w: '' })).toThrow(ParamError);
    expect(url('/a/.{v}/b', 'http://d/', { v: '.x' }).pathname).toBe('/a/..x/b');
  });

  it('a lone surrogate is a 400, not an exception from encodeURIComponent', () => {
    expect(() => checkParam('m', 'v', free(), 'a\ud800b')).toThrow(/parameter "v" of module m is not valid Unicode/);
    expect(() => checkParam('m', 'v', free(), 'a\u{1F600}b')).not.toThrow();
  });

  it('empty values around a "/" never make a host', () => {
    const u = url('/{v}/{w}/x', 'http://d:81/', { v: '', w: '' });
    expect(u.href).toBe('http://d:81///x');
    expect(url('api/{v}/{w}/x', 'http://d/a/', { v: '', w: '' }).href).toBe('http://d/a/api///x');
  });
});

describe('a body from a template (property)', () => {
  it('JSON: the value is exactly the string it was placed in', () => {
    const t = compileBody('{"a": "{v}", "c": [1, "x{v}y"], "d": {"k": "{w}"}}', undefined, params);
    fc.assert(
      fc.property(anyValue, anyValue, (v, w) => {
        expect(JSON.parse(buildBody('m', t, { v, w }))).toEqual({ a: v, c: [1, `x${v}y`], d: { k: w } });
      }),
      { numRuns: 500 },
    );
  });

  it('a form: the value is exactly its field', () => {
    const t = compileBody('a={v}&b=1&c=x{w}', 'application/x-www-form-urlencoded', params);
    fc.assert(
      fc.property(anyValue, anyValue, (v, w) => {
        const form = new URLSearchParams(buildBody('m', t, { v, w }));
        expect([...form.entries()]).toEqual([['a', v], ['b', '1'], ['c', `x${w}`]]);
      }),
      { numRuns: 300 },
    );
  });

  it('|quote outside a JSON string is one Go-quoted token; |raw is the value as it is', () => {
    const quoted = compileBody('{"a": {v|quote}}', 'application/json', params);
    expect(JSON.parse(buildBody('m', quoted, { v: 'x","b":"y' }))).toEqual({ a: 'x","b":"y' });
    const n = compileParam({ pattern: '[0-9]{1,6}', default: '10' });
    if (!('param' in n)) throw new Error(n.message);
    const raw = compileBody('{"size": {n|raw}}', undefined, new Map([['n', n.param]]));
    expect(JSON.parse(buildBody('m', raw, { n: '25' }))).toEqual({ size: 25 });
  });
});

describe('param constraints', () => {
  it('a pattern matches the whole value, in linear time', () => {
    const c = compileParam({ pattern: '(a|aa)*b' });
    if (!('param' in c)) throw new Error(c.message);
    expect(c.param.test!('aab')).toBe(true);
    expect(c.param.test!('aabx')).toBe(false);
    expect(c.param.test!('xaab')).toBe(false);
    // Exponential for a backtracking engine; RE2 answers at once.
    const started = performance.now();
    expect(c.param.test!(`${'a'.repeat(50_000)}c`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
