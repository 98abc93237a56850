// The compiled readers (property reads for chains of names and indexes, templates joined
// by closures) against the generic evaluator they replace on the hot path: the same
// series, values, timestamps, errors, skips and absences on generated documents and
// modules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapMetric, type Evaluation } from '../../src/mapping/map.js';
import { exposeText } from '../../src/metrics/expose.js';
import { SampleSet } from '../../src/metrics/samples.js';
import { moduleOf, recorder } from './helpers.js';

const KEYS = ['a', 'b', 'id', 'v', 'n', '0'] as const;
const key = fc.constantFrom(...KEYS);

// Leaves that exercise every reading: numbers, numeric and non-numeric strings, booleans,
// null, empty strings, values that need escaping.
const leaf = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom('1.5', '-3', 'x', '', 'ACTIVE', 'a"b\\c\nd', 'Inf', '0x1f', true, false, null),
);
const { doc } = fc.letrec<{ doc: unknown; node: unknown }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('doc')),
  doc: fc.oneof(
    { depthSize: 'small' },
    fc.dictionary(key, tie('node'), { maxKeys: 5 }),
    fc.array(tie('node'), { maxLength: 4 }),
  ),
}));

// Paths of names and indexes (compiled to property reads) and others (wildcards,
// filters, descendants: the generic path, still through the readers' fallback).
const step = fc.oneof(key.map((k) => (/^\d/.test(k) ? `['${k}']` : `.${k}`)), fc.constantFrom('[0]', '[1]', '[-1]'));
const singular = fc.array(step, { maxLength: 3 }).map((s) => `$${s.join('')}`);
const anyPath = fc.oneof(singular, fc.constantFrom('$.*', '$..v', '$[?@.v]', '$.a[*].v'));
const expr = fc.oneof(
  anyPath,
  singular.map((p) => `x-{${p}}-{key}`),
  fc.constantFrom('{key}', 'literal', 42, true),
);
const each = fc.option(fc.constantFrom('$[*]', '$.a[*]', '$.*', '$.b[*]', '$..a[*]', '$[?@.v]'), { nil: undefined });
const metric = fc.record({
  labels: fc.dictionary(fc.constantFrom('l1', 'l2', 'l3'), expr, { maxKeys: 3 }),
  value: expr,
  each,
  value_map: fc.option(fc.constant({ ACTIVE: 1, x: 0 }), { nil: undefined }),
  timestamp: fc.option(singular, { nil: undefined }),
  on_missing: fc.constantFrom('report', 'skip', 'error'),
  type: fc.constantFrom('gauge', 'counter', 'untyped', 'info'),
  when: fc.option(fc.constantFrom('@.v', '@.v == 1', '!@.a'), { nil: undefined }),
});

function run(spec: ReturnType<typeof specOf>, docs: unknown[], how: Evaluation): unknown {
  const mod = moduleOf(...spec);
  const set = new SampleSet(50);
  const report = recorder();
  for (const m of mod.metrics) mapMetric(m, docs.map((d) => ({ doc: d, vars: {} })), set, report, undefined, how);
  const samples = [...set.families.values()].map((f) => [f.name, [...f.samples.values()].map((s) => [s.labels, s.labelText, s.value, s.timestamp])]);
  const { errors, skips, duplicates, limits, absents } = report;
  return { samples, text: exposeText([set]), report: { errors, skips, duplicates, limits, absents } };
}

function specOf(metrics: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return metrics.map((m, i) => {
    const out: Record<string, unknown> = { name: `m${i}${m['type'] === 'info' ? '_info' : m['type'] === 'counter' ? '_total' : ''}`, help: 'h', from: 'doc', type: m['type'], on_missing: m['on_missing'], labels: m['labels'] };
    if (m['type'] !== 'info') out['value'] = m['value'];
    for (const k of ['each', 'value_map', 'timestamp', 'when']) if (m[k] !== undefined && !(k === 'value_map' && m['type'] === 'info')) out[k] = m[k];
    return out;
  });
}

describe('compiled mapping', () => {
  it('gives the series, reports and exposition the generic evaluator gives', () => {
    fc.assert(
      fc.property(fc.array(metric, { minLength: 1, maxLength: 4 }), fc.array(doc, { minLength: 1, maxLength: 3 }), (metrics, docs) => {
        const spec = specOf(metrics);
        expect(run(spec, docs, 'compiled')).toEqual(run(spec, docs, 'generic'));
      }),
      { numRuns: 400 },
    );
  });

  it('reads chains of names and indexes as JSONPath does', () => {
    const spec = specOf([{ type: 'gauge', on_missing: 'report', labels: { l1: "$.a[-1]['0']", l2: 'x-{$.b}-{key}' }, value: '$.a[0]', each: '$[*]' }]);
    const docs = [[{ a: [3, { 0: 'z' }], b: 'y' }, { a: [], b: 1 }, { a: 'no' }, 7]];
    const compiled = run(spec, docs, 'compiled') as { text: string };
    expect(compiled).toEqual(run(spec, docs, 'generic'));
    expect(compiled.text).toContain('m0{l1="z",l2="x-y-0"} 3');
  });
});
