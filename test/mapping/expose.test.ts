import { register as globalRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { exposeText, negotiate, PROMETHEUS_TEXT, type ExpositionFormat } from '../../src/metrics/expose.js';
import { SampleSet, type Family } from '../../src/metrics/samples.js';
import { mapAll, moduleOf } from './helpers.js';

describe('exposeText', () => {
  it('writes Prometheus text 0.0.4: HELP and TYPE lines, families by name, series by label values', () => {
    const data = new SampleSet();
    // Added out of order on purpose.
    data.add('temp_celsius', 'Temperature', 'gauge', ['sensor'], ['cpu'], 41);
    data.add('temp_celsius', 'Temperature', 'gauge', ['sensor'], ['board'], 25.5);
    data.add('reboots_total', 'Reboots since install', 'counter', [], [], 3);
    data.add('system_info', 'Identity', 'info', ['model', 'system'], ['R640', 'S1'], 1);
    data.add('health', 'Health', 'stateset', ['system', 'health'], ['S1', 'OK'], 1);
    data.add('health', 'Health', 'stateset', ['system', 'health'], ['S1', 'Warning'], 0);
    data.add('health', 'Health', 'stateset', ['system', 'health'], ['S1', 'Critical'], 0);
    data.add('mystery', 'Untyped value', 'untyped', ['a', 'b'], ['', 'x'], -2);
    const meta = new SampleSet();
    meta.add('probe_success', 'Whether the probe succeeded', 'gauge', [], [], 1);

    expect(exposeText([data, meta])).toBe(
      [
        '# HELP health Health',
        '# TYPE health gauge',
        'health{system="S1",health="Critical"} 0',
        'health{system="S1",health="OK"} 1',
        'health{system="S1",health="Warning"} 0',
        '',
        '# HELP mystery Untyped value',
        '# TYPE mystery untyped',
        'mystery{b="x"} -2',
        '',
        '# HELP probe_success Whether the probe succeeded',
        '# TYPE probe_success gauge',
        'probe_success 1',
        '',
        '# HELP reboots_total Reboots since install',
        '# TYPE reboots_total counter',
        'reboots_total 3',
        '',
        '# HELP system_info Identity',
        '# TYPE system_info gauge',
        'system_info{model="R640",system="S1"} 1',
        '',
        '# HELP temp_celsius Temperature',
        '# TYPE temp_celsius gauge',
        'temp_celsius{sensor="board"} 25.5',
        'temp_celsius{sensor="cpu"} 41',
        '',
      ].join('\n'),
    );
  });

  it('escapes backslash, double quote and newline in label values, backslash and newline in help', () => {
    const set = new SampleSet();
    set.add('x', 'line one\nline "two" \\ end', 'gauge', ['path', 'quote', 'text'], ['C:\\dir', 'say "hi"', 'a\nb'], 1);
    expect(exposeText([set])).toBe(
      ['# HELP x line one\\nline "two" \\\\ end', '# TYPE x gauge', 'x{path="C:\\\\dir",quote="say \\"hi\\"",text="a\\nb"} 1', ''].join('\n'),
    );
  });

  it('writes special and large values as the text format spells them', () => {
    const set = new SampleSet();
    set.add('v', 'h', 'gauge', ['k'], ['a_nan'], NaN);
    set.add('v', 'h', 'gauge', ['k'], ['b_pinf'], Infinity);
    set.add('v', 'h', 'gauge', ['k'], ['c_ninf'], -Infinity);
    set.add('v', 'h', 'gauge', ['k'], ['d_big'], 2147483648);
    set.add('v', 'h', 'gauge', ['k'], ['e_small'], 0.001);
    set.add('v', 'h', 'gauge', ['k'], ['f_neg_zero'], -0);
    const lines = exposeText([set]).split('\n').filter((l) => !l.startsWith('#') && l);
    expect(lines).toEqual([
      'v{k="a_nan"} NaN',
      'v{k="b_pinf"} +Inf',
      'v{k="c_ninf"} -Inf',
      'v{k="d_big"} 2147483648',
      'v{k="e_small"} 0.001',
      'v{k="f_neg_zero"} 0',
    ]);
  });

  it('leaves a help text ending in "Nan" alone', () => {
    const set = new SampleSet();
    set.add('v', 'grandma Nan', 'gauge', [], [], 1);
    expect(exposeText([set])).toBe('# HELP v grandma Nan\n# TYPE v gauge\nv 1\n');
  });

  it('omits families left without samples (created when the series limit was reached)', () => {
    const set = new SampleSet(1);
    expect(set.add('a', 'h', 'gauge', [], [], 1)).toBe('added');
    expect(set.add('b', 'h', 'gauge', [], [], 2)).toBe('limit');
    expect(set.families.has('b')).toBe(true);
    expect(exposeText([set])).toBe('# HELP a h\n# TYPE a gauge\na 1\n');
  });

  it('keeps nothing from one call to the next', async () => {
    const first = new SampleSet();
    first.add('first_metric', 'h', 'gauge', ['k'], ['v'], 1);
    const second = new SampleSet();
    second.add('second_metric', 'h', 'gauge', [], [], 2);

    const a = exposeText([first]);
    const b = exposeText([second]);
    expect(a).toContain('first_metric{k="v"} 1');
    expect(b).toBe('# HELP second_metric h\n# TYPE second_metric gauge\nsecond_metric 2\n');
    expect(b).not.toContain('first_metric');

    // Exposing the same name again with other series shows only the new ones.
    const again = new SampleSet();
    again.add('first_metric', 'h', 'gauge', ['k'], ['w'], 5);
    const c = exposeText([again]);
    expect(c).toBe('# HELP first_metric h\n# TYPE first_metric gauge\nfirst_metric{k="w"} 5\n');

    expect(await globalRegistry.metrics()).not.toContain('first_metric');
  });

  it('serves the text 0.0.4 content type', () => {
    expect(PROMETHEUS_TEXT).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('exposes what the mapper produced, end to end', () => {
    const mod = moduleOf(
      { name: 'fan_rpm', help: 'Fan speed', from: 'doc', each: '$.Fans[*]', labels: { fan: '$.Name' }, value: '$.Reading' },
      { name: 'health', type: 'stateset', help: 'Health', from: 'doc', value: '$.Status.Health', states: ['OK', 'Critical'] },
      { name: 'chassis_info', type: 'info', help: 'Chassis', from: 'doc', labels: { id: '$.Id', note: '$.Note' } },
    );
    const doc = {
      Id: '1U',
      Note: 'rack "A"\\top',
      Status: { Health: 'OK' },
      Fans: [{ Name: 'Fan2', Reading: '1800' }, { Name: 'Fan1', Reading: 2100 }],
    };
    const { set, report } = mapAll(mod, { doc: [{ doc, vars: {} }] });
    expect(report.errors).toEqual([]);
    expect(exposeText([set])).toBe(
      [
        '# HELP chassis_info Chassis',
        '# TYPE chassis_info gauge',
        'chassis_info{id="1U",note="rack \\"A\\"\\\\top"} 1',
        '',
        '# HELP fan_rpm Fan speed',
        '# TYPE fan_rpm gauge',
        'fan_rpm{fan="Fan1"} 2100',
        'fan_rpm{fan="Fan2"} 1800',
        '',
        '# HELP health Health',
        '# TYPE health gauge',
        'health{health="Critical"} 0',
        'health{health="OK"} 1',
        '',
      ].join('\n'),
    );
  });
});

describe('OpenMetrics', () => {
  it('names info and counter families without their suffix, states statesets, ends with # EOF', () => {
    const s = new SampleSet();
    s.add('dev_info', 'Identity', 'info', ['model'], ['X1'], 1);
    s.add('dev_requests_total', 'Requests', 'counter', ['code'], ['200'], 5);
    s.add('dev_health', 'Health', 'stateset', ['dev_health'], ['OK'], 1);
    s.add('dev_health', 'Health', 'stateset', ['dev_health'], ['Critical'], 0);
    s.add('dev_raw', 'Raw', 'untyped', [], [], 3);
    s.add('dev_temp_celsius', 'Temp', 'gauge', [], [], NaN);
    expect(exposeText([s], 'openmetrics')).toBe(
      [
        '# HELP dev_health Health', '# TYPE dev_health stateset', 'dev_health{dev_health="Critical"} 0', 'dev_health{dev_health="OK"} 1',
        '# HELP dev Identity', '# TYPE dev info', 'dev_info{model="X1"} 1',
        '# HELP dev_raw Raw', '# TYPE dev_raw unknown', 'dev_raw 3',
        '# HELP dev_requests Requests', '# TYPE dev_requests counter', 'dev_requests_total{code="200"} 5',
        '# HELP dev_temp_celsius Temp', '# TYPE dev_temp_celsius gauge', 'dev_temp_celsius NaN',
        '# EOF', '',
      ].join('\n'),
    );
  });

  it('is chosen when the client accepts it, as Prometheus does', () => {
    expect(negotiate('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe('openmetrics');
    expect(negotiate('text/plain')).toBe('text');
    expect(negotiate(undefined)).toBe('text');
  });
});

// The exposition used to go through a prom-client Registry per probe. The writer must
// produce the same bytes, apart from the two places prom-client is wrong (NaN spelled
// "Nan"; OpenMetrics HELP with an unescaped double quote), which this reference fixes
// the way expose.ts documents.
describe('the exposition writer against prom-client', () => {
  function reference(sets: SampleSet[], format: ExpositionFormat): Promise<string> {
    const contentType = format === 'text' ? Registry.PROMETHEUS_CONTENT_TYPE : Registry.OPENMETRICS_CONTENT_TYPE;
    const registry = new (Registry as unknown as new (t: string) => Registry)(contentType);
    const families: Family[] = [];
    for (const set of sets) for (const f of set.families.values()) if (f.samples.size) families.push(f);
    families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const f of families) {
      const values = [...f.samples.keys()].sort().map((k) => ({ labels: f.samples.get(k)!.labels, value: f.samples.get(k)!.value }));
      let name = f.name;
      let type: string = f.type;
      let metricName: string | undefined;
      if (format === 'text') type = f.type === 'info' || f.type === 'stateset' ? 'gauge' : f.type;
      else if (f.type === 'info') [name, metricName] = [f.name.replace(/_info$/, ''), f.name];
      else if (f.type === 'counter') [name, type] = f.name.endsWith('_total') ? [f.name.replace(/_total$/, ''), 'counter'] : [f.name, 'unknown'];
      else if (f.type === 'untyped') type = 'unknown';
      const snap = { name, help: f.help, type, aggregator: 'sum', values: values.map((v) => (metricName ? { ...v, metricName } : v)) };
      registry.registerMetric({ name, type, get: () => Promise.resolve(snap) } as never);
    }
    return registry.metrics().then((t) => t.replace(/^([^#\n].*) Nan$/gm, '$1 NaN'));
  }

  // A small deterministic generator (no dependency, same input on every run).
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  }
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const TEXTS = ['', 'a', 'OK', 'CPU1 Temp', 'C:\\dir', 'say "hi"', 'two\nlines', 'ünï©ødé ✓', ' ', '\\n', 'x,y=z}'];
  const VALUES = [0, 1, -1, 0.5, 1e21, 1e-7, -0, 2 ** 53, NaN, Infinity, -Infinity, 123456.789];
  const TYPES = ['gauge', 'counter', 'untyped', 'info', 'stateset'] as const;

  for (const format of ['text', 'openmetrics'] as const) {
    it(`writes what prom-client writes (${format}), on 200 random probes`, async () => {
      const r = rng(format === 'text' ? 7 : 11);
      for (let probe = 0; probe < 200; probe++) {
        const sets = [new SampleSet(), new SampleSet()];
        const families = 1 + Math.floor(r() * 6);
        for (let f = 0; f < families; f++) {
          const type = pick(r, TYPES);
          // Names never repeat across the two sets (device metrics cannot be named probe_*).
          const s = Math.floor(r() * 2);
          const set = sets[s]!;
          // nor share an OpenMetrics family name (foo_info and foo: the test below).
          const base = `${s ? 'probe' : 'dev'}${Math.floor(r() * 4)}_${pick(r, ['a', 'b', 'c'])}_${type}`;
          const name = type === 'info' ? `${base}_info` : type === 'counter' && r() < 0.7 ? `${base}_total` : base;
          // OpenMetrics needs the quote escaped in HELP, prom-client does not: compared on help without one.
          const help = pick(r, TEXTS.filter((t) => format === 'text' || !t.includes('"')));
          const names = ['zone', 'id', 'state'].slice(0, Math.floor(r() * 4));
          for (let n = Math.floor(r() * 5); n >= 0; n--) {
            set.add(name, help, type, names, names.map(() => pick(r, TEXTS)), pick(r, VALUES));
          }
        }
        expect(exposeText(sets, format)).toBe(await reference(sets, format));
      }
    });
  }

  it('keeps OpenMetrics family names unique when two modules\' metrics would share one', () => {
    // One module cannot do this (the configuration check refuses it); two modules in one probe can.
    const set = new SampleSet();
    set.add('dev_uptime', 'Uptime', 'gauge', [], [], 5);
    set.add('dev_uptime_total', 'Uptime counter', 'counter', [], [], 6);
    set.add('dev_uptime_info', 'Uptime info', 'info', ['v'], ['1'], 1);
    expect(exposeText([set], 'openmetrics')).toBe(
      [
        '# HELP dev_uptime Uptime', '# TYPE dev_uptime gauge', 'dev_uptime 5',
        '# HELP dev_uptime_info Uptime info', '# TYPE dev_uptime_info unknown', 'dev_uptime_info{v="1"} 1',
        '# HELP dev_uptime_total Uptime counter', '# TYPE dev_uptime_total unknown', 'dev_uptime_total 6',
        '# EOF', '',
      ].join('\n'),
    );
    const two = new SampleSet();
    two.add('dev_up_info', 'Info', 'info', [], [], 1);
    two.add('dev_up_total', 'Counter', 'counter', [], [], 2);
    expect(exposeText([two], 'openmetrics')).toBe(
      ['# HELP dev_up Info', '# TYPE dev_up info', 'dev_up_info 1', '# HELP dev_up_total Counter', '# TYPE dev_up_total unknown', 'dev_up_total 2', '# EOF', ''].join('\n'),
    );
  });

  it('escapes a double quote in OpenMetrics HELP, and only there', () => {
    const set = new SampleSet();
    set.add('v', 'the "main" one', 'gauge', [], [], 1);
    expect(exposeText([set], 'openmetrics')).toContain('# HELP v the \\"main\\" one\n');
    expect(exposeText([set], 'text')).toContain('# HELP v the "main" one\n');
  });
});
