import { describe, expect, it } from 'vitest';
import { compileExpr, describeExpr, evaluate, ExprError, toLabelValue, type Scope } from '../../src/mapping/expr.js';
import { JsonPathError, NOTHING } from '../../src/mapping/jsonpath.js';

const NO_VARS: ReadonlySet<string> = new Set();
const ITEM = { Id: 'CPU1', n: 7, ok: true, nil: null, 'a}b': 'brace', 'q"}': 'quoted', obj: { x: 1 }, list: [{ n: '}', v: 'found' }] };

function scope(over: Partial<Scope> = {}): Scope {
  return { item: ITEM, key: 3, vars: {}, ...over };
}

function run(source: string | number | boolean, s: Scope = scope(), known: Iterable<string> = []): unknown {
  return evaluate(compileExpr(source, new Set(known)), s);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an exception');
}

describe('literals', () => {
  it('keeps numbers and booleans as they are', () => {
    expect(compileExpr(42, NO_VARS)).toEqual({ kind: 'literal', value: 42 });
    expect(compileExpr(-1.5, NO_VARS)).toEqual({ kind: 'literal', value: -1.5 });
    expect(compileExpr(true, NO_VARS)).toEqual({ kind: 'literal', value: true });
    expect(compileExpr(false, NO_VARS)).toEqual({ kind: 'literal', value: false });
    expect(run(0)).toBe(0);
    expect(run(false)).toBe(false);
  });

  it('keeps a string without braces or leading $ as text, whatever it contains', () => {
    expect(compileExpr('Chassis Intake Temp', NO_VARS)).toEqual({ kind: 'literal', value: 'Chassis Intake Temp' });
    // A $ that does not start the string is text, not a path.
    expect(run('cost: $.Id')).toBe('cost: $.Id');
    expect(run('')).toBe('');
  });
});

describe('JSONPath expressions', () => {
  it('treats a string starting with $ as a JSONPath on the current item and returns the raw value', () => {
    expect(compileExpr('$.Id', NO_VARS).kind).toBe('path');
    expect(run('$.Id')).toBe('CPU1');
    expect(run('$.n')).toBe(7);
    expect(run('$.ok')).toBe(true);
    expect(run('$.nil')).toBeNull();
    expect(run('$.obj')).toEqual({ x: 1 });
    expect(run('$.missing')).toBe(NOTHING);
  });

  it('rejects an invalid path with the JSONPath error', () => {
    expect(() => compileExpr('$.[', NO_VARS)).toThrow(JsonPathError);
    expect(() => compileExpr('$HOME', NO_VARS)).toThrow(JsonPathError);
  });
});

describe('templates', () => {
  it('mixes text, paths and the key variable', () => {
    expect(run('cpu-{$.Id}/{key}')).toBe('cpu-CPU1/3');
    expect(run('{key}', scope({ key: 'Fan1' }))).toBe('Fan1');
    expect(run('n={$.n} ok={$.ok}')).toBe('n=7 ok=true');
  });

  it('uses captured variables', () => {
    const s = scope({ vars: { chassis: '1U', slot: 2 } });
    expect(run('{chassis}:{slot}:{$.Id}', s, ['chassis', 'slot'])).toBe('1U:2:CPU1');
  });

  it('trims blanks around a placeholder', () => {
    expect(run('<{ $.Id }|{ key }>')).toBe('<CPU1|3>');
  });

  it('a template that is a single placeholder yields the raw value, not text', () => {
    expect(run('{$.n}')).toBe(7);
    expect(run('{key}')).toBe(3);
    expect(run('{v}', scope({ vars: { v: 2.5 } }), ['v'])).toBe(2.5);
  });

  it('prints what is missing, null or not a scalar as empty text', () => {
    expect(run('a{$.missing}b')).toBe('ab');
    expect(run('a{$.nil}b')).toBe('ab');
    expect(run('a{$.obj}b')).toBe('ab');
    expect(run('a{key}b', scope({ key: undefined }))).toBe('ab');
    expect(run('a{v}b', scope({ vars: {} }), ['v'])).toBe('ab');
  });

  it('a lone variable with no value is NOTHING', () => {
    expect(run('{key}', scope({ key: undefined }))).toBe(NOTHING);
    expect(run('{v}', scope({ vars: {} }), ['v'])).toBe(NOTHING);
  });

  it('reads {{ and }} as literal braces', () => {
    expect(run('{{literal}}')).toBe('{literal}');
    expect(run('a{{b')).toBe('a{b');
    expect(run('}}')).toBe('}');
    expect(run('{{{key}}}')).toBe('{3}');
    expect(run('set{{{$.Id}}}={key}')).toBe('set{CPU1}=3');
  });

  it('finds the closing brace after a brace inside a quoted JSONPath name', () => {
    expect(run('{$["a}b"]}')).toBe('brace');
    expect(run("{$['a}b']}")).toBe('brace');
    expect(run('x{$["a}b"]}y')).toBe('xbracey');
    expect(run('{$["q\\"}"]}')).toBe('quoted');
    expect(run('{$.list[?@.n == "}"].v}')).toBe('found');
  });

  it('rejects an unknown variable, listing the known ones', () => {
    const err = errorOf(() => compileExpr('{chassis}', new Set(['system', 'slot'])));
    expect(err).toBeInstanceOf(ExprError);
    expect(err.message).toContain('unknown variable {chassis}');
    expect(err.message).toContain('key, system, slot');
    expect(errorOf(() => compileExpr('x-{Id}', NO_VARS)).message).toMatch(/unknown variable \{Id\} \(known here: key;/);
  });

  it('rejects an unclosed brace with its offset', () => {
    const err = errorOf(() => compileExpr('cpu-{$.Id', NO_VARS));
    expect(err).toBeInstanceOf(ExprError);
    expect(err.message).toContain('unclosed "{" at offset 4');
    expect(err.message).toContain('"cpu-{$.Id"');
    expect(errorOf(() => compileExpr('{$["a}b"]', NO_VARS))).toBeInstanceOf(ExprError);
  });

  it('rejects an unmatched closing brace', () => {
    const err = errorOf(() => compileExpr('a}b', NO_VARS));
    expect(err).toBeInstanceOf(ExprError);
    expect(err.message).toContain('unmatched "}" at offset 1');
    expect(errorOf(() => compileExpr('{key}}', NO_VARS))).toBeInstanceOf(ExprError);
  });

  it('rejects an invalid JSONPath inside a placeholder', () => {
    expect(() => compileExpr('cpu-{$.}', NO_VARS)).toThrow(JsonPathError);
    expect(() => compileExpr('cpu-{$.Fans[?]}', NO_VARS)).toThrow(JsonPathError);
  });
});

describe('toLabelValue', () => {
  it('prints numbers and booleans, keeps strings, and leaves null, objects and NOTHING empty', () => {
    expect(toLabelValue('x y')).toBe('x y');
    expect(toLabelValue('')).toBe('');
    expect(toLabelValue(0)).toBe('0');
    expect(toLabelValue(42)).toBe('42');
    expect(toLabelValue(-1.25)).toBe('-1.25');
    expect(toLabelValue(true)).toBe('true');
    expect(toLabelValue(false)).toBe('false');
    expect(toLabelValue(null)).toBe('');
    expect(toLabelValue(undefined)).toBe('');
    expect(toLabelValue(NOTHING)).toBe('');
    expect(toLabelValue({ a: 1 })).toBe('');
    expect(toLabelValue([1, 2])).toBe('');
  });
});

describe('describeExpr', () => {
  it('writes a template back in template syntax that compiles to the same result', () => {
    const known = new Set(['chassis']);
    const s = scope({ vars: { chassis: '1U' } });
    for (const source of ['cpu-{$.Id}/{key}', '{{x}} {key}', 'a{{b', '{chassis}-{$["a}b"]}', 'set{{{$.Id}}}']) {
      const described = describeExpr(compileExpr(source, known));
      expect(described, source).toBe(source);
      expect(evaluate(compileExpr(described, known), s)).toBe(evaluate(compileExpr(source, known), s));
    }
    expect(describeExpr(compileExpr('$.Id', NO_VARS))).toBe('$.Id');
    expect(describeExpr(compileExpr('{key}', NO_VARS))).toBe('{key}');
    expect(describeExpr(compileExpr(5, NO_VARS))).toBe('5');
  });
});
