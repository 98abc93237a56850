// Document + metric mapping → samples. Pure: no I/O, no clock.
import type { SampleSet } from '../metrics/samples.js';
import { compileReader, describeExpr, evaluate, toLabelValue, type Expr, type Scope } from './expr.js';
import { CONVERTERS, parseNumber } from './convert.js';
import { NOTHING } from './jsonpath.js';
import type { CompiledMetric, CompiledStep } from './plan.js';

/** One parsed response of the request a metric reads, with the variables its fan-out captured. */
export interface Document {
  doc: unknown;
  vars: Readonly<Record<string, unknown>>;
}

export interface MapReport {
  /** Problems that make the probe unsuccessful: unconvertible values, required values missing. */
  error(message: string): void;
  /** Series left out on purpose (null or missing values): visible in debug output only. */
  skip(message: string): void;
  /** A label set seen before in the same metric; the first sample was kept. */
  duplicate(metric: string): void;
  /** The probe reached its series limit. */
  limit(metric: string): void;
  /**
   * A metric definition made no series because what it reads was not in the answer (a
   * field or an `each` collection renamed by a firmware update, or a typo), unless the
   * module says the metric is optional (on_missing: skip). Once per definition.
   */
  absent(message: string): void;
}


/** How a metric's labels, value and timestamp are read from an item. */
interface Readers {
  labels: Array<(scope: Scope) => unknown>;
  value: ((scope: Scope) => unknown) | undefined;
  timestamp: ((scope: Scope) => unknown) | undefined;
}

/**
 * `compiled`: the expressions as plain functions (expr.ts's compileReader), made once per
 * compiled metric; `generic`: `evaluate` walking the expression each time, the reference
 * the compiled readers are tested against.
 */
export type Evaluation = 'compiled' | 'generic';

const compiledReaders = new WeakMap<CompiledMetric, Readers>();
const genericReaders = new WeakMap<CompiledMetric, Readers>();

function readersOf(m: CompiledMetric, how: Evaluation): Readers {
  const memo = how === 'compiled' ? compiledReaders : genericReaders;
  let r = memo.get(m);
  if (!r) {
    const make = how === 'compiled' ? compileReader : (expr: Expr) => (scope: Scope) => evaluate(expr, scope);
    r = { labels: m.labels.map(([, expr]) => make(expr)), value: m.value && make(m.value), timestamp: m.timestamp && make(m.timestamp) };
    memo.set(m, r);
  }
  return r;
}

/** Builds a metric's compiled readers; the module compiler calls it at load, so no probe pays for it. */
export function prepareMetric(m: CompiledMetric): void {
  readersOf(m, 'compiled');
}

export function mapMetric(m: CompiledMetric, docs: readonly Document[], out: SampleSet, report: MapReport, trace?: (message: string) => void, how: Evaluation = 'compiled'): void {
  const names = m.labelNames;
  const readers = readersOf(m, how);
  // Once a series was refused for the probe's series limit nothing more can be
  // added: stop walking (a million-element array costs no more than the limit).
  let limited = false;
  const watch: MapReport = { ...report, limit: (metric) => ((limited = true), report.limit(metric)) };
  const matches = trace ? new Array<number>(m.steps.length).fill(0) : undefined;
  let first = true;
  let excluded = 0;
  // Whether any item gave the metric something to make a series from (or an error), and
  // the first thing it looked for and did not find.
  let found = false;
  let notFound: string | undefined;
  const missing = (what: string): void => {
    notFound ??= what;
  };
  const emit = (scope: Scope): boolean => {
    if (m.when && !m.when.holds(scope.item, scope.vars, scope.key)) {
      excluded++;
      return true;
    }
    if (trace && first) {
      first = false;
      traceSample(m, scope, trace);
    }
    const lost = emitSample(m, readers, names, scope, out, watch);
    if (lost === undefined) found = true;
    else missing(lost);
    return !limited;
  };
  for (const d of docs) {
    iterate(m.steps, 0, { item: d.doc, key: undefined, vars: d.vars }, emit, matches, m.onMissing === 'report' ? missing : undefined);
    if (limited) break;
  }
  if (!found && notFound !== undefined && !limited && m.onMissing === 'report') report.absent(`${m.where}: no series: ${notFound}`);
  if (trace && matches) m.steps.forEach((step, i) => trace(`${m.where}: each ${step.path.source} matched ${matches[i]} item${matches[i] === 1 ? '' : 's'}`));
  if (trace && m.when) trace(`${m.where}: when ${m.when.source} left out ${excluded} item${excluded === 1 ? '' : 's'}`);
}

/** What the label and value expressions found for the first item, for --explain. */
function traceSample(m: CompiledMetric, scope: Scope, trace: (message: string) => void): void {
  const show = (v: unknown): string => (v === NOTHING ? 'nothing' : JSON.stringify(v)?.slice(0, 80) ?? String(v));
  const parts = m.labels.map(([name, expr]) => `${name}=${describeExpr(expr)} → ${show(evaluate(expr, scope))}`);
  if (m.value) parts.push(`value ${describeExpr(m.value)} → ${show(evaluate(m.value, scope))}`);
  trace(`${m.where}: first item: ${parts.join('; ')}`);
}

/** False once emitting should stop. `missing` hears of a step that found nothing to walk. */
function iterate(steps: readonly CompiledStep[], i: number, scope: Scope, emit: (s: Scope) => boolean, matches?: number[], missing?: (what: string) => void): boolean {
  if (i === steps.length) return emit(scope);
  const step = steps[i]!;
  let more = true;
  let any = false;
  step.path.each(scope.item, (value, key) => {
    any = true;
    if (matches) matches[i]!++;
    const inner: Scope = { item: value, key, vars: scope.vars };
    if (step.vars.length) {
      const captured: Record<string, unknown> = { ...scope.vars };
      for (const [name, expr] of step.vars) captured[name] = evaluate(expr, inner);
      inner.vars = captured;
    }
    more = iterate(steps, i + 1, inner, emit, matches, missing);
    return more;
  });
  // An empty list or map is a device with none of those things; no list at all is a path
  // that does not fit the answer.
  if (!any && missing && (step.container === undefined || step.container.first(scope.item) === NOTHING)) missing(`each ${step.path.source} matched nothing`);
  return more;
}

/** Undefined, or what was not found when the item had nothing to make a sample from. */
function emitSample(m: CompiledMetric, readers: Readers, names: string[], scope: Scope, out: SampleSet, report: MapReport): string | undefined {
  const values: string[] = new Array<string>(names.length);
  for (let i = 0; i < readers.labels.length; i++) values[i] = toLabelValue(readers.labels[i]!(scope));

  if (m.type === 'info') {
    // An info metric whose labels all came out empty says nothing: treated as missing.
    if (values.length > 0 && values.every((v) => v === '')) {
      const what = `${m.where}: no label of the info metric found`;
      if (m.onMissing === 'error') report.error(what);
      else report.skip(what);
      return m.onMissing === 'error' ? undefined : 'no label of the info metric found';
    }
    add(m, names, values, 1, out, report, timestampOf(m, readers, scope, values, report));
    return undefined;
  }
  const raw = readers.value!(scope);
  // An empty string is a missing value (CSV and key/value pages leave fields empty).
  if (raw === NOTHING || raw === null || raw === '') {
    const what = `${m.where}: ${raw === null ? 'value is null' : raw === '' ? 'value is empty' : 'value not found'}${describeLabels(m, values)}`;
    if (m.onMissing === 'error') report.error(what);
    else report.skip(what);
    // null and "" are the device saying "no reading": only a value not there at all is lost.
    return raw === NOTHING && m.onMissing !== 'error' ? `value ${describeExpr(m.value!)} not found` : undefined;
  }
  if (m.type === 'stateset') {
    const current = m.ignoreCase ? toLabelValue(raw).toLowerCase() : toLabelValue(raw);
    const stateAt = names.length - 1;
    // All states of a label set or none: a partial stateset cut by the series limit would
    // read as "in none of the states shown" and hide the one that is 1.
    if (out.count + m.states!.length > out.maxSeries) {
      let fresh = 0;
      for (const state of m.states!) {
        values[stateAt] = state;
        if (!out.has(m.name, names, values)) fresh++;
      }
      if (out.count + fresh > out.maxSeries) {
        report.limit(m.name);
        return undefined;
      }
    }
    const ts = timestampOf(m, readers, scope, values, report);
    for (const state of m.states!) {
      values[stateAt] = state;
      // The sample keeps the values it is given: each state its own copy.
      add(m, names, values.slice(), (m.ignoreCase ? state.toLowerCase() : state) === current ? 1 : 0, out, report, ts);
    }
    return undefined;
  }
  const num = toNumber(raw, m);
  if (typeof num === 'string') {
    report.error(`${m.where}: ${num}${describeLabels(m, values)}`);
    return undefined;
  }
  const scaled = m.scale === undefined ? num : num * m.scale;
  if (Number.isFinite(num) && !Number.isFinite(scaled)) {
    report.error(`${m.where}: value ${num} × scale ${m.scale} ${OUT_OF_RANGE}${describeLabels(m, values)}`);
    return undefined;
  }
  add(m, names, values, scaled, out, report, timestampOf(m, readers, scope, values, report));
  return undefined;
}

/** The sample's own timestamp (milliseconds), when the metric has one and it can be read. */
const MAX_TIMESTAMP_MS = 8.64e15;

function timestampOf(m: CompiledMetric, readers: Readers, scope: Scope, values: string[], report: MapReport): number | undefined {
  if (readers.timestamp === undefined) return undefined;
  const raw = readers.timestamp(scope);
  if (raw === NOTHING || raw === null || raw === '') {
    report.skip(`${m.where}: timestamp not found; sample without one${describeLabels(m, values)}`);
    return undefined;
  }
  const ms = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseNumber(raw) : undefined;
  if (ms === undefined || !Number.isFinite(ms)) {
    report.error(`${m.where}: timestamp ${typeof raw === 'string' ? JSON.stringify(raw) : `of type ${Array.isArray(raw) ? 'array' : typeof raw}`} is not a number of milliseconds; sample without one${describeLabels(m, values)}`);
    return undefined;
  }
  // Past ±8.64e15 ms (the range of a JavaScript Date) a timestamp is no time at all, and
  // Prometheus would refuse the whole scrape over a number it cannot read as an int64.
  if (Math.abs(ms) > MAX_TIMESTAMP_MS) {
    // raw is the number itself or the string it was read from.
    report.error(`${m.where}: timestamp ${typeof raw === 'string' ? raw : String(ms)} ms is outside the range of dates; sample without one${describeLabels(m, values)}`);
    return undefined;
  }
  return Math.trunc(ms);
}

function add(m: CompiledMetric, names: string[], values: string[], value: number, out: SampleSet, report: MapReport, timestamp?: number): void {
  const result = out.add(m.name, m.help, m.type, names, values, value, timestamp);
  if (result === 'duplicate') report.duplicate(m.name);
  else if (result === 'limit') report.limit(m.name);
  else if (result === 'conflict') report.error(`${m.where}: metric ${m.name} already exists with another type`);
}

const OUT_OF_RANGE = 'is too large for a 64-bit float (it would read as ±Inf)';

/** A number, or the reason the value is not one. */
export function toNumber(raw: unknown, m: Pick<CompiledMetric, 'valueMap' | 'ignoreCase' | 'regex' | 'convert'>): number | string {
  if (m.convert === 'count') {
    if (typeof raw !== 'string') return `value is ${typeof raw}; count needs a string`;
    return raw.match(m.regex!)?.length ?? 0;
  }
  if (m.convert === 'length') {
    if (Array.isArray(raw) || typeof raw === 'string') return raw.length;
    if (raw !== null && typeof raw === 'object') return Object.keys(raw).length;
    return `value is ${typeof raw}, which has no length`;
  }
  // JSON has no literal for infinity: an infinite number is one too large to read
  // (1e400), a broken value that must not pass for a reading of +Inf.
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : `value ${OUT_OF_RANGE}`;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw !== 'string') return `value is ${Array.isArray(raw) ? 'an array' : 'an object'}, not a number`;
  if (m.valueMap) {
    const mapped = m.valueMap.get(m.ignoreCase ? raw.toLowerCase() : raw);
    if (mapped !== undefined) return mapped;
  }
  let text = raw;
  if (m.regex) {
    const match = m.regex.exec(raw);
    if (!match) return `value ${JSON.stringify(raw)} does not match ${String(m.regex)}`;
    text = match.groups?.['value'] ?? match[1] ?? match[0];
  }
  const n = CONVERTERS[m.convert](text);
  // "Inf" and "+Inf" are infinite on purpose; "1e400" only by overflow.
  if (n !== undefined && (n === Infinity || n === -Infinity) && !/inf/i.test(text)) return `value ${JSON.stringify(text)} ${OUT_OF_RANGE}`;
  if (n !== undefined) return n;
  const what = m.convert === 'number' ? 'a number' : `a ${m.convert}`;
  return m.valueMap
    ? `value ${JSON.stringify(text)} is not in value_map (${[...m.valueMap.keys()].join(', ')}) and not ${what}`
    : `value ${JSON.stringify(text)} is not ${what}${m.convert === 'number' ? ' (a value_map can translate strings)' : ''}`;
}

function describeLabels(m: CompiledMetric, values: string[]): string {
  if (!m.labels.length) return '';
  return ` {${m.labels.map(([n], i) => `${n}="${values[i]}"`).join(',')}}`;
}
