import { describe, expect, it } from 'vitest';
import { compileModule } from '../../src/module/compile.js';
import { ModuleSchema } from '../../src/spec/schema.js';
import { parseDuration, parseHex, parseNumber, parseSize, parseTimestamp } from '../../src/mapping/convert.js';
import { mapMetric } from '../../src/mapping/map.js';
import { SampleSet } from '../../src/metrics/samples.js';

describe('converters', () => {
  it.each([
    ['42', 42], [' -1.5e3 ', -1500], ['NaN', NaN], ['+Inf', Infinity], ['-inf', -Infinity],
    ['0x10', undefined], ['', undefined], ['12 apples', undefined],
  ])('number %j → %s', (text, expected) => {
    expect(parseNumber(text)).toBe(expected);
  });

  it.each([
    ['150G', 150 * 2 ** 30], ['1.5 MiB', 1.5 * 2 ** 20], ['10kB', 10_000], ['10KB', 10_000], ['2 GB', 2e9],
    ['512', 512], ['3 bytes', 3], ['1T', 2 ** 40], ['7 parsecs', undefined], ['G', undefined],
  ])('size %j → %s bytes', (text, expected) => {
    expect(parseSize(text)).toBe(expected);
  });

  it.each([
    ['1d 2h 3m', 93780], ['PT5M', 300], ['P1DT1S', 86401], ['3600s', 3600], ['1h30m', 5400],
    ['11 days 21 hours 13 minutes 2 seconds', 1026782], ['500ms', 0.5], ['01:02:03', 3723], ['2-03:04:05', 183845],
    ['42', 42], ['5 fortnights', undefined], ['P', undefined], ['soon', undefined],
  ])('duration %j → %s s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ['2017-07-21T11:53:28Z', 1500638008], ['2017-07-21T13:53:28+02:00', 1500638008],
    ['Fri, 21 Jul 2017 11:53:28 GMT', 1500638008], ['1500638008', 1500638008], ['yesterday', undefined], ['12/06', undefined],
  ])('timestamp %j → %s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([['0x1F', 31], ['ff', 255], ['-0x10', -16], ['0xZZ', undefined]])('hex %j → %s', (text, expected) => {
    expect(parseHex(text)).toBe(expected);
  });
});

function mapOne(doc: unknown, metric: Record<string, unknown>): { series: Array<[string, number]>; errors: string[] } {
  const problems: string[] = [];
  const mod = compileModule('t', ModuleSchema.parse({ requests: { doc: { path: '/' } }, metrics: [{ name: 'm', from: 'doc', ...metric }] }), 't.yml', (_p, msg) => problems.push(msg));
  if (!mod) throw new Error(problems.join('; '));
  const set = new SampleSet();
  const errors: string[] = [];
  mapMetric(mod.metrics[0]!, [{ doc, vars: {} }], set, { error: (e) => errors.push(e), skip: () => {}, duplicate: () => {}, limit: () => {}, absent: () => {} });
  const series = [...(set.families.get('m')?.samples.values() ?? [])].map((s): [string, number] => [JSON.stringify(s.labels), s.value]);
  return { series, errors };
}

describe('conversions in metric mappings', () => {
  it('extracts a number with regex before converting ("45 C")', () => {
    expect(mapOne({ t: '45 C' }, { value: '$.t', regex: '([0-9.]+)\\s*C' }).series).toEqual([['{}', 45]]);
  });
  it('prefers the group named value', () => {
    expect(mapOne({ t: 'fan 2: 28 %' }, { value: '$.t', regex: '(\\d+): (?<value>\\d+) %' }).series).toEqual([['{}', 28]]);
  });
  it('converts sizes, durations, timestamps and hex, then scales', () => {
    expect(mapOne({ v: '1.5 MiB' }, { value: '$.v', convert: 'size' }).series).toEqual([['{}', 1572864]]);
    expect(mapOne({ v: 'PT5M' }, { value: '$.v', convert: 'duration' }).series).toEqual([['{}', 300]]);
    expect(mapOne({ v: '2017-07-21T11:53:28Z' }, { value: '$.v', convert: 'timestamp' }).series).toEqual([['{}', 1500638008]]);
    expect(mapOne({ v: '0x1F' }, { value: '$.v', convert: 'hex', scale: 2 }).series).toEqual([['{}', 62]]);
  });
  it('value_map is tried on the raw string first', () => {
    expect(mapOne({ v: 'unlimited' }, { value: '$.v', convert: 'size', value_map: { unlimited: -1 } }).series).toEqual([['{}', -1]]);
  });
  it('reports what did not convert', () => {
    expect(mapOne({ t: 'n/a' }, { value: '$.t', regex: '(\\d+) C' }).errors).toEqual(['t.metrics[0] (m): value "n/a" does not match /(\\d+) C/']);
    expect(mapOne({ v: 'lots' }, { value: '$.v', convert: 'size' }).errors).toEqual(['t.metrics[0] (m): value "lots" is not a size']);
  });
  it('refuses an invalid regex at load, naming the field', () => {
    const problems: Array<[string, string]> = [];
    compileModule('t', ModuleSchema.parse({ requests: { doc: { path: '/' } }, metrics: [{ name: 'm', from: 'doc', value: '$.v', regex: '(' }] }), 't.yml', (p, msg) =>
      problems.push([p.join('.'), msg]));
    expect(problems).toEqual([['metrics.0.regex', expect.stringMatching(/^invalid regular expression: /)]]);
  });
});

describe('length', () => {
  it('counts the elements of a list or map and the characters of a string', () => {
    expect(mapOne({ v: ['a', 'b', 'c'] }, { value: '$.v', convert: 'length' }).series).toEqual([['{}', 3]]);
    expect(mapOne({ v: { a: 1, b: 2 } }, { value: '$.v', convert: 'length' }).series).toEqual([['{}', 2]]);
    expect(mapOne({ v: [] }, { value: '$.v', convert: 'length' }).series).toEqual([['{}', 0]]);
    expect(mapOne({ v: 5 }, { value: '$.v', convert: 'length' }).errors).toEqual(['t.metrics[0] (m): value is number, which has no length']);
  });
});

describe('help', () => {
  it('is the first help given for a name, for every mapping of that name', () => {
    const mod = compileModule('t', ModuleSchema.parse({
      requests: { doc: { path: '/' } },
      metrics: [{ name: 'm', from: 'doc', value: '$.a' }, { name: 'm', from: 'doc', value: '$.b', help: 'The m' }],
    }), 't.yml', () => {});
    expect(mod!.metrics.map((m) => m.help)).toEqual(['The m', 'The m']);
  });
});

describe('count and empty values', () => {
  it('counts the matches of regex (Apache scoreboard workers by state)', () => {
    const board = '_W_K_.RR__W';
    expect(mapOne({ s: board }, { value: '$.s', regex: 'W', convert: 'count' }).series).toEqual([['{}', 2]]);
    expect(mapOne({ s: board }, { value: '$.s', regex: '[_.]', convert: 'count' }).series).toEqual([['{}', 6]]);
    expect(mapOne({ s: '' }, { value: '$.s', regex: 'W', convert: 'count' }).series).toEqual([]);
  });
  it('treats an empty string as a missing value, an error only with on_missing: error', () => {
    expect(mapOne({ v: '' }, { value: '$.v' })).toEqual({ series: [], errors: [] });
    expect(mapOne({ v: '' }, { value: '$.v', on_missing: 'error' }).errors).toEqual(['t.metrics[0] (m): value is empty']);
  });
  it('skips an info metric none of whose labels were found', () => {
    expect(mapOne({ other: 1 }, { type: 'info', name: 'm_info', labels: { a: '$.a', b: '$.b' } }).series).toEqual([]);
  });
});
