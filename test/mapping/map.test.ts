import { describe, expect, it } from 'vitest';
import { toNumber } from '../../src/mapping/map.js';
import { SampleSet } from '../../src/metrics/samples.js';
import { compile, mapAll, mapDoc, moduleOf, recorder, series } from './helpers.js';

const THERMAL = {
  Id: 'Thermal',
  Temp: 21.5,
  Fans: [
    { Name: 'Fan1', Reading: 2100 },
    { Name: 'Fan2', Reading: 1800 },
    { Name: 'Fan3', Reading: 900 },
  ],
  Pools: { alpha: { Used: 10 }, beta: { Used: 20 } },
};

describe('plain values', () => {
  it('maps one value to one gauge series with the default help', () => {
    const { set, report } = mapDoc(THERMAL, { name: 'temp_celsius', from: 'doc', value: '$.Temp' });
    expect(series(set)).toEqual([['temp_celsius', 21.5]]);
    const f = set.families.get('temp_celsius')!;
    expect(f.type).toBe('gauge');
    expect(f.help).toBe('temp_celsius from request doc of module test');
    expect(report).toMatchObject({ errors: [], skips: [], duplicates: [], limits: [] });
  });

  it('keeps the declared type and help', () => {
    const { set } = mapDoc({ n: 5 }, { name: 'reboots_total', type: 'counter', help: 'Reboots', from: 'doc', value: '$.n' });
    expect(set.families.get('reboots_total')).toMatchObject({ type: 'counter', help: 'Reboots' });
    expect(series(set)).toEqual([['reboots_total', 5]]);
  });

  it('maps a literal value and labels', () => {
    const { set } = mapDoc({}, { name: 'up', from: 'doc', value: 1, labels: { site: 'lab', n: 3, yes: true } });
    expect(series(set)).toEqual([['up{n="3",site="lab",yes="true"}', 1]]);
  });

  it('maps booleans to 1 and 0', () => {
    const { set } = mapDoc({ on: true, off: false }, { name: 'on', from: 'doc', value: '$.on' }, { name: 'off', from: 'doc', value: '$.off' });
    expect(series(set)).toEqual([['on', 1], ['off', 0]]);
  });

  it('maps numeric strings to numbers', () => {
    const doc = { a: '42', b: ' 3.5 ', c: '-1e3', d: '+7', e: '.5', f: '1.', g: 'NaN', h: '+Inf', i: '-inf', j: '0' };
    const metrics = Object.keys(doc).map((k) => ({ name: `v_${k}`, from: 'doc', value: `$.${k}` }));
    const { set, report } = mapDoc(doc, ...metrics);
    expect(report.errors).toEqual([]);
    const got = Object.fromEntries(series(set));
    expect(got).toEqual({ v_a: 42, v_b: 3.5, v_c: -1000, v_d: 7, v_e: 0.5, v_f: 1, v_g: NaN, v_h: Infinity, v_i: -Infinity, v_j: 0 });
  });

  it('scales numbers and numeric strings', () => {
    const { set } = mapDoc(
      { gib: 2, ms: '1500' },
      { name: 'mem_bytes', from: 'doc', value: '$.gib', scale: 1073741824 },
      { name: 'latency_seconds', from: 'doc', value: '$.ms', scale: 0.001 },
    );
    expect(series(set)).toEqual([['mem_bytes', 2147483648], ['latency_seconds', 1.5]]);
  });

  it('reports an unconvertible string as an error naming the value, the mapping and the labels', () => {
    const { set, report } = mapDoc({ v: 'banana', id: 'x' }, { name: 'fruit', from: 'doc', value: '$.v', labels: { id: '$.id' } });
    expect(series(set)).toEqual([]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toContain('"banana"');
    expect(report.errors[0]).toContain('test.metrics[0] (fruit)');
    expect(report.errors[0]).toContain('{id="x"}');
  });

  it('reports objects and arrays as values as errors', () => {
    const { set, report } = mapDoc({ o: { a: 1 }, l: [1] }, { name: 'o', from: 'doc', value: '$.o' }, { name: 'l', from: 'doc', value: '$.l' });
    expect(series(set)).toEqual([]);
    expect(report.errors).toEqual([expect.stringContaining('an object, not a number'), expect.stringContaining('an array, not a number')]);
  });
});

describe('missing and null values', () => {
  const doc = { nil: null, id: 'a' };

  it('skip the series by default, without an error', () => {
    const { set, report } = mapDoc(
      doc,
      { name: 'n', from: 'doc', value: '$.nil', labels: { id: '$.id' } },
      { name: 'm', from: 'doc', value: '$.missing' },
    );
    expect(series(set)).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.skips).toEqual([
      'test.metrics[0] (n): value is null {id="a"}',
      'test.metrics[1] (m): value not found',
    ]);
  });

  it('are errors with on_missing: error', () => {
    const { set, report } = mapDoc(
      doc,
      { name: 'n', from: 'doc', value: '$.nil', on_missing: 'error' },
      { name: 'm', from: 'doc', value: '$.missing', on_missing: 'error' },
    );
    expect(series(set)).toEqual([]);
    expect(report.skips).toEqual([]);
    expect(report.errors).toEqual(['test.metrics[0] (n): value is null', 'test.metrics[1] (m): value not found']);
  });

  it('skip only the items that lack the value in an each', () => {
    const { set, report } = mapDoc(
      { Temps: [{ Name: 'a', C: 30 }, { Name: 'b', C: null }, { Name: 'c' }] },
      { name: 't', from: 'doc', each: '$.Temps[*]', labels: { sensor: '$.Name' }, value: '$.C' },
    );
    expect(series(set)).toEqual([['t{sensor="a"}', 30]]);
    expect(report.skips).toHaveLength(2);
  });
});

describe('value_map', () => {
  const spec = { name: 'power_on', from: 'doc', value: '$.PowerState', value_map: { On: 1, Off: 0, PoweringOn: 0.5 } };

  it('translates strings by exact match', () => {
    for (const [state, want] of [['On', 1], ['Off', 0], ['PoweringOn', 0.5]] as const) {
      expect(series(mapDoc({ PowerState: state }, spec).set), state).toEqual([['power_on', want]]);
    }
  });

  it('is case-sensitive by default: an unmapped string is an error listing the keys', () => {
    const { set, report } = mapDoc({ PowerState: 'on' }, spec);
    expect(series(set)).toEqual([]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toContain('"on"');
    expect(report.errors[0]).toContain('On, Off, PoweringOn');
  });

  it('ignores case with ignore_case', () => {
    const spec2 = { ...spec, ignore_case: true };
    for (const [state, want] of [['on', 1], ['OFF', 0], ['poweringon', 0.5], ['On', 1]] as const) {
      const { set, report } = mapDoc({ PowerState: state }, spec2);
      expect(report.errors, state).toEqual([]);
      expect(series(set), state).toEqual([['power_on', want]]);
    }
  });

  it('wins over numeric parsing, and numbers still pass', () => {
    const spec3 = { name: 'v', from: 'doc', value: '$.v', value_map: { '1': 10 } };
    expect(series(mapDoc({ v: '1' }, spec3).set)).toEqual([['v', 10]]);
    expect(series(mapDoc({ v: '2' }, spec3).set)).toEqual([['v', 2]]);
    expect(series(mapDoc({ v: 1 }, spec3).set)).toEqual([['v', 1]]);
  });

  it('toNumber gives the reason as a string', () => {
    const plain = { valueMap: undefined, ignoreCase: false, regex: undefined, convert: 'number' as const };
    expect(toNumber('x', plain)).toMatch(/not a number/);
    expect(toNumber(true, plain)).toBe(1);
    expect(toNumber('Ok', { ...plain, valueMap: new Map([['ok', 3]]), ignoreCase: true })).toBe(3);
    expect(toNumber('Ok', { ...plain, valueMap: new Map([['ok', 3]]) })).toMatch(/not in value_map \(ok\) and not a number/);
  });
});

describe('each', () => {
  it('iterates an array, with the index as {key}', () => {
    const { set } = mapDoc(THERMAL, {
      name: 'fan_rpm',
      from: 'doc',
      each: '$.Fans[*]',
      labels: { fan: '$.Name', slot: '{key}' },
      value: '$.Reading',
    });
    expect(series(set)).toEqual([
      ['fan_rpm{fan="Fan1",slot="0"}', 2100],
      ['fan_rpm{fan="Fan2",slot="1"}', 1800],
      ['fan_rpm{fan="Fan3",slot="2"}', 900],
    ]);
  });

  it("iterates an object's entries, with the property name as {key}", () => {
    const { set } = mapDoc(THERMAL, { name: 'pool_used', from: 'doc', each: '$.Pools.*', labels: { pool: '{key}' }, value: '$.Used' });
    expect(series(set)).toEqual([['pool_used{pool="alpha"}', 10], ['pool_used{pool="beta"}', 20]]);
  });

  it('iterates over a scalar each item, reading it with $', () => {
    const { set } = mapDoc({ Readings: { a: 1, b: '2' } }, { name: 'r', from: 'doc', each: '$.Readings.*', labels: { k: '{key}' }, value: '$' });
    expect(series(set)).toEqual([['r{k="a"}', 1], ['r{k="b"}', 2]]);
  });

  it('maps nothing and reports nothing when the each path matches nothing', () => {
    const { set, report } = mapDoc(THERMAL, { name: 'x', from: 'doc', each: '$.Nope[*]', value: '$.v', on_missing: 'error' });
    expect(series(set)).toEqual([]);
    expect(report.errors).toEqual([]);
  });

  it('nests steps, capturing vars from the outer item, including its key and earlier vars', () => {
    const doc = {
      Chassis: [
        { Id: '1U', Fans: [{ Name: 'A', Rpm: 1 }, { Name: 'B', Rpm: 2 }] },
        { Id: '2U', Fans: { left: { Name: 'C', Rpm: 3 } } },
      ],
    };
    const { set, report } = mapDoc(doc, {
      name: 'fan_rpm',
      from: 'doc',
      each: [
        { path: '$.Chassis[*]', vars: { chassis: '$.Id', pos: '{key}' } },
        { path: '$.Fans.*', vars: { where: '{chassis}#{pos}/{key}' } },
      ],
      labels: { chassis: '{chassis}', pos: '{pos}', fan: '$.Name', slot: '{key}', where: '{where}' },
      value: '$.Rpm',
    });
    expect(report.errors).toEqual([]);
    expect(series(set)).toEqual([
      ['fan_rpm{chassis="1U",fan="A",pos="0",slot="0",where="1U#0/0"}', 1],
      ['fan_rpm{chassis="1U",fan="B",pos="0",slot="1",where="1U#0/1"}', 2],
      ['fan_rpm{chassis="2U",fan="C",pos="1",slot="left",where="2U#1/left"}', 3],
    ]);
  });

  it('a var captured in one item does not leak into the next', () => {
    const doc = { Items: [{ Id: 'a', v: 1 }, { v: 2 }] };
    const { set } = mapDoc(doc, {
      name: 'v',
      from: 'doc',
      each: [{ path: '$.Items[*]', vars: { id: '$.Id' } }],
      labels: { id: '{id}', i: '{key}' },
      value: '$.v',
    });
    expect(series(set)).toEqual([['v{i="0",id="a"}', 1], ['v{i="1"}', 2]]);
  });

  it('rejects at compile time a variable that is not captured', () => {
    expect(() => moduleOf({ name: 'v', from: 'doc', labels: { id: '{id}' }, value: 1 })).toThrow(/unknown variable \{id\}/);
  });
});

describe('fan-out documents', () => {
  const mod = compile({
    requests: {
      chassis_list: { path: '/chassis' },
      thermal: { follow: { from: 'chassis_list', path: '$.Members[*]', vars: { chassis: '$.Id' } } },
    },
    metrics: [
      {
        name: 'temp_celsius',
        from: 'thermal',
        each: '$.Temperatures[*]',
        labels: { chassis: '{chassis}', sensor: '$.Name', id: '{chassis}-{key}' },
        value: '$.C',
      },
    ],
  });

  it('reads the variables a follow captured from Document.vars, per document', () => {
    const { set, report } = mapAll(mod, {
      thermal: [
        { doc: { Temperatures: [{ Name: 'In', C: 20 }, { Name: 'Out', C: 30 }] }, vars: { chassis: '1U' } },
        { doc: { Temperatures: [{ Name: 'In', C: 22 }] }, vars: { chassis: '2U' } },
      ],
    });
    expect(report.errors).toEqual([]);
    expect(series(set)).toEqual([
      ['temp_celsius{chassis="1U",id="1U-0",sensor="In"}', 20],
      ['temp_celsius{chassis="1U",id="1U-1",sensor="Out"}', 30],
      ['temp_celsius{chassis="2U",id="2U-0",sensor="In"}', 22],
    ]);
  });

  it('maps nothing when the request has no documents', () => {
    expect(series(mapAll(mod, { thermal: [] }).set)).toEqual([]);
  });
});

describe('stateset', () => {
  const spec = { name: 'health', type: 'stateset', from: 'doc', labels: { system: '$.Id' }, value: '$.Health', states: ['OK', 'Warning', 'Critical'] };

  it('emits one series per state, the state label last, exactly one of them 1', () => {
    const { set, report } = mapDoc({ Id: 'S1', Health: 'Warning' }, spec);
    expect(report.errors).toEqual([]);
    expect(series(set)).toEqual([
      ['health{system="S1",health="OK"}', 0],
      ['health{system="S1",health="Warning"}', 1],
      ['health{system="S1",health="Critical"}', 0],
    ]);
    for (const s of set.families.get('health')!.samples.values()) expect(Object.keys(s.labels)).toEqual(['system', 'health']);
    expect(set.families.get('health')!.type).toBe('stateset');
  });

  it('puts the state label after labels that sort after it', () => {
    const mod = moduleOf({ ...spec, labels: { zone: 'z', alpha: 'a' } });
    expect(mod.metrics[0]!.labelNames).toEqual(['alpha', 'zone', 'health']);
  });

  it('sets every state to 0 when the value is not one of the states', () => {
    const { set, report } = mapDoc({ Id: 'S1', Health: 'Degraded' }, spec);
    expect(report.errors).toEqual([]);
    expect(series(set).map(([, v]) => v)).toEqual([0, 0, 0]);
    expect(series(mapDoc({ Id: 'S1', Health: 'ok' }, spec).set).map(([, v]) => v)).toEqual([0, 0, 0]);
  });

  it('matches states regardless of case with ignore_case, keeping the declared spelling', () => {
    const { set } = mapDoc({ Id: 'S1', Health: 'critical' }, { ...spec, ignore_case: true });
    expect(series(set)).toEqual([
      ['health{system="S1",health="OK"}', 0],
      ['health{system="S1",health="Warning"}', 0],
      ['health{system="S1",health="Critical"}', 1],
    ]);
  });

  it('matches non-string values by their printed form', () => {
    const { set } = mapDoc({ Id: 'S1', Health: 2 }, { ...spec, states: ['1', '2', '3'] });
    expect(series(set).map(([, v]) => v)).toEqual([0, 1, 0]);
  });

  it('emits nothing for a null or missing value', () => {
    const { set, report } = mapDoc({ Id: 'S1', Health: null }, spec);
    expect(series(set)).toEqual([]);
    expect(report.skips).toHaveLength(1);
  });
});

describe('info', () => {
  it('emits value 1 with the labels, one series per item', () => {
    const { set } = mapDoc(
      { Systems: [{ Id: 'S1', Model: 'R640', Serial: null }, { Id: 'S2', Model: 'DL380', Serial: 'XYZ' }] },
      { name: 'system_info', type: 'info', from: 'doc', each: '$.Systems[*]', labels: { system: '$.Id', model: '$.Model', serial: '$.Serial' } },
    );
    expect(series(set)).toEqual([
      ['system_info{model="R640",system="S1"}', 1],
      ['system_info{model="DL380",serial="XYZ",system="S2"}', 1],
    ]);
    expect(set.families.get('system_info')!.type).toBe('info');
  });
});

describe('label sets', () => {
  it('omits labels whose value is empty, null, missing or not a scalar', () => {
    const { set } = mapDoc(
      { empty: '', nil: null, obj: { a: 1 }, v: 1, name: 'x' },
      { name: 'v', from: 'doc', value: '$.v', labels: { a: '$.empty', b: '$.nil', c: '$.missing', d: '$.obj', e: '$.name' } },
    );
    expect(series(set)).toEqual([['v{e="x"}', 1]]);
    expect(set.families.get('v')!.samples.values().next().value!.labels).toEqual({ e: 'x' });
  });

  it('drops a series whose label set was seen before, keeping the first and counting the drop', () => {
    const { set, report } = mapDoc(
      { Fans: [{ Name: 'A', R: 1 }, { Name: 'A', R: 2 }, { Name: 'B', R: 3 }, { Name: 'A', R: 4 }] },
      { name: 'rpm', from: 'doc', each: '$.Fans[*]', labels: { fan: '$.Name' }, value: '$.R' },
    );
    expect(series(set)).toEqual([['rpm{fan="A"}', 1], ['rpm{fan="B"}', 3]]);
    expect(report.duplicates).toEqual(['rpm', 'rpm']);
    expect(set.duplicates).toBe(2);
    expect(set.count).toBe(2);
  });

  it('treats an empty label value and an absent label as the same label set', () => {
    const { set, report } = mapDoc(
      { Fans: [{ R: 1 }, { Name: '', R: 2 }, { Name: null, R: 3 }] },
      { name: 'rpm', from: 'doc', each: '$.Fans[*]', labels: { fan: '$.Name' }, value: '$.R' },
    );
    expect(series(set)).toEqual([['rpm', 1]]);
    expect(report.duplicates).toHaveLength(2);
  });

  it('does not confuse label sets that differ only by which label holds a value', () => {
    const { set, report } = mapDoc(
      { Items: [{ a: 'x', v: 1 }, { b: 'x', v: 2 }] },
      { name: 'v', from: 'doc', each: '$.Items[*]', labels: { a: '$.a', b: '$.b' }, value: '$.v' },
    );
    expect(series(set)).toEqual([['v{a="x"}', 1], ['v{b="x"}', 2]]);
    expect(report.duplicates).toEqual([]);
  });
});

describe('series limit', () => {
  const fans = { Fans: [{ Name: 'A', R: 1 }, { Name: 'B', R: 2 }, { Name: 'C', R: 3 }, { Name: 'D', R: 4 }] };
  const rpm = { name: 'rpm', from: 'doc', each: '$.Fans[*]', labels: { fan: '$.Name' }, value: '$.R' };

  it('reports the limit and adds no more series, in this metric or the next', () => {
    const mod = moduleOf(rpm, { name: 'other', from: 'doc', value: 1 });
    const { set, report } = mapAll(mod, { doc: [{ doc: fans, vars: {} }] }, { maxSeries: 2 });
    expect(series(set)).toEqual([['rpm{fan="A"}', 1], ['rpm{fan="B"}', 2]]);
    expect(set.count).toBe(2);
    expect(report.limits.length).toBeGreaterThan(0);
    expect(new Set(report.limits)).toEqual(new Set(['rpm', 'other']));
    expect(report.errors).toEqual([]);
  });

  it('does not report the limit when the series fit exactly', () => {
    const { set, report } = mapAll(moduleOf(rpm), { doc: [{ doc: fans, vars: {} }] }, { maxSeries: 4 });
    expect(set.count).toBe(4);
    expect(report.limits).toEqual([]);
  });

  it('counts the limit across mappings sharing one sample set', () => {
    const set = new SampleSet(5);
    const report = recorder();
    mapAll(moduleOf(rpm), { doc: [{ doc: fans, vars: {} }] }, { set, report });
    mapAll(moduleOf({ ...rpm, name: 'rpm2' }), { doc: [{ doc: fans, vars: {} }] }, { set, report });
    expect(set.count).toBe(5);
    expect(series(set).map(([k]) => k)).toEqual(['rpm{fan="A"}', 'rpm{fan="B"}', 'rpm{fan="C"}', 'rpm{fan="D"}', 'rpm2{fan="A"}']);
    // Reported once: a mapping stops walking at the first series it cannot add.
    expect(report.limits).toEqual(['rpm2']);
  });

  it('never emits part of a stateset: the states of one label set are all there or none is', () => {
    const health = {
      name: 'health',
      type: 'stateset',
      from: 'doc',
      each: '$.Systems[*]',
      labels: { system: '$.Id' },
      value: '$.Health',
      states: ['OK', 'Warning', 'Critical'],
    };
    const doc = { Systems: [{ Id: 'S1', Health: 'OK' }, { Id: 'S2', Health: 'Critical' }] };
    const { set, report } = mapAll(moduleOf(health), { doc: [{ doc, vars: {} }] }, { maxSeries: 5 });
    // S2 would need 3 more series with only 2 left: a partial stateset would read
    // "S2 is neither OK nor Warning" and hide that it is Critical.
    expect(series(set)).toEqual([
      ['health{system="S1",health="OK"}', 1],
      ['health{system="S1",health="Warning"}', 0],
      ['health{system="S1",health="Critical"}', 0],
    ]);
    expect(report.limits).toEqual(['health']);
  });

  it('reports a repeated stateset at a full sample set as a duplicate, not as the limit', () => {
    const health = { name: 'health', type: 'stateset', from: 'doc', each: '$.Systems[*]', labels: { system: '$.Id' }, value: '$.Health', states: ['OK', 'Critical'] };
    const doc = { Systems: [{ Id: 'S1', Health: 'OK' }, { Id: 'S1', Health: 'Critical' }] };
    const { set, report } = mapAll(moduleOf(health), { doc: [{ doc, vars: {} }] }, { maxSeries: 2 });
    expect(series(set)).toEqual([
      ['health{system="S1",health="OK"}', 1],
      ['health{system="S1",health="Critical"}', 0],
    ]);
    expect(report.limits).toEqual([]);
    expect(report.duplicates).toEqual(['health', 'health']);
  });
});

describe('two mappings into one metric name', () => {
  it('merge into one family', () => {
    const mod = compile({
      requests: { a: { path: '/a' }, b: { path: '/b' } },
      metrics: [
        { name: 'temp_celsius', help: 'Temperature', from: 'a', each: '$.Temps[*]', labels: { sensor: '$.Name' }, value: '$.C' },
        { name: 'temp_celsius', from: 'b', labels: { sensor: 'board' }, value: '$.BoardC' },
      ],
    });
    const { set, report } = mapAll(mod, {
      a: [{ doc: { Temps: [{ Name: 'cpu', C: 50 }, { Name: 'board', C: 1 }] }, vars: {} }],
      b: [{ doc: { BoardC: 35 }, vars: {} }],
    });
    expect([...set.families.keys()]).toEqual(['temp_celsius']);
    expect(set.families.get('temp_celsius')!.help).toBe('Temperature');
    // The second mapping's board series has the same label set as the first's: first kept.
    expect(series(set)).toEqual([['temp_celsius{sensor="cpu"}', 50], ['temp_celsius{sensor="board"}', 1]]);
    expect(report.duplicates).toEqual(['temp_celsius']);
  });

  it('of different types are rejected when the module compiles', () => {
    expect(() =>
      moduleOf({ name: 'x', from: 'doc', value: 1 }, { name: 'x', type: 'untyped', from: 'doc', value: 2 }),
    ).toThrow(/metric x is already a gauge in metrics\[0\]/);
  });
});

describe('SampleSet', () => {
  it('refuses a sample whose family exists with another type', () => {
    const set = new SampleSet();
    expect(set.add('x', '', 'gauge', [], [], 1)).toBe('added');
    expect(set.add('x', '', 'counter', ['a'], ['b'], 1)).toBe('conflict');
    expect(set.families.get('x')!.samples.size).toBe(1);
    expect(set.count).toBe(1);
  });

  it('keys series by label name and value, so separator-like characters in values cannot collide', () => {
    const set = new SampleSet();
    expect(set.add('x', '', 'gauge', ['a', 'b'], ['1\u0001b\u00002', ''], 1)).toBe('added');
    expect(set.add('x', '', 'gauge', ['a', 'b'], ['1', '2'], 2)).toBe('added');
    expect(set.count).toBe(2);
  });
});

describe('work past the series limit', () => {
  it('stops walking a huge array at the first series it cannot add', () => {
    let read = 0;
    const items = Array.from({ length: 200_000 }, (_, i) => ({
      get id(): number {
        read++;
        return i;
      },
      v: i,
    }));
    const { set, report } = mapAll(moduleOf({ name: 'item', from: 'doc', each: '$.items[*]', labels: { id: '$.id' }, value: '$.v' }), { doc: [{ doc: { items }, vars: {} }] }, { maxSeries: 100 });
    expect(set.count).toBe(100);
    expect(report.limits).toEqual(['item']);
    // 100 series added, the 101st refused: nothing after it was looked at.
    expect(read).toBe(101);
  });
});

describe('sample timestamps', () => {
  it('takes milliseconds from the document, and refuses one outside the range of dates without losing the sample', () => {
    const { set, report } = mapDoc(
      { items: [{ id: 'ok', v: 1, t: 1700000000123.9 }, { id: 'huge', v: 2, t: 1e22 }, { id: 'text', v: 3, t: 'soon' }] },
      { name: 'v', from: 'doc', each: '$.items[*]', labels: { id: '$.id' }, value: '$.v', timestamp: '$.t' },
    );
    const samples = [...set.families.get('v')!.samples.values()].map((s) => [s.labels['id'], s.value, s.timestamp]);
    expect(samples).toEqual([['ok', 1, 1700000000123], ['huge', 2, undefined], ['text', 3, undefined]]);
    expect(report.errors).toEqual([
      expect.stringMatching(/timestamp 1e\+22 ms is outside the range of dates; sample without one \{id="huge"\}/),
      expect.stringMatching(/timestamp "soon" is not a number of milliseconds/),
    ]);
  });
});
