// JSONPath (RFC 9535) through json-p3, compiled once at config load.
// Paths made only of names, indexes and wildcards (nearly all paths in device
// modules) are turned into a plain walker over the document: no node objects,
// no location arrays on the hot path. Anything else runs through json-p3.
import { JSONPathEnvironment, jsonpath, type JSONValue } from 'json-p3';
import { MAX_JSON_DEPTH } from '../parse/json.js';

// Descendant queries may go as deep as the JSON parser lets documents nest.
const env = new JSONPathEnvironment({ strict: true, maxRecursionDepth: MAX_JSON_DEPTH + 1 });

/** One value found by a path, with the key or index it sits under in its parent. */
export interface Match {
  value: unknown;
  key: string | number | undefined;
}

export interface CompiledPath {
  readonly source: string;
  /** Every match, in document order. */
  all(doc: unknown): Match[];
  /**
   * Calls `visit` for each match in document order, without building a list; stops as
   * soon as `visit` returns false (a probe at its series limit does no more work).
   */
  each(doc: unknown, visit: (value: unknown, key: string | number | undefined) => boolean | void): void;
  /** The first match's value, or NOTHING when the path matches nothing. */
  first(doc: unknown): unknown;
}

export const NOTHING: unique symbol = Symbol('nothing');

/**
 * A path that selects at most one value and is a chain of names and indexes (`$.a.b[0]`)
 * as a plain function of the document: property reads, no step objects walked. Undefined
 * for any other path (they keep `first`).
 */
export function singularGetter(path: CompiledPath): ((doc: unknown) => unknown) | undefined {
  return path instanceof WalkPath ? path.getter : undefined;
}

type Getter = (doc: unknown) => unknown;

function nameGetter(name: string, next: Getter | undefined): Getter {
  return (cur) => {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, name)) return NOTHING;
    const v = (cur as Record<string, unknown>)[name];
    return next === undefined ? v : next(v);
  };
}

function indexGetter(index: number, next: Getter | undefined): Getter {
  return (cur) => {
    if (!Array.isArray(cur)) return NOTHING;
    const i = index < 0 ? cur.length + index : index;
    if (i < 0 || i >= cur.length) return NOTHING;
    const v: unknown = cur[i];
    return next === undefined ? v : next(v);
  };
}

/** The steps as nested closures, last first; undefined when a step is a wildcard. */
function compileGetter(steps: readonly Step[]): Getter | undefined {
  let next: Getter | undefined;
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    if (step.kind === 'wild') return undefined;
    next = step.kind === 'name' ? nameGetter(step.name, next) : indexGetter(step.index, next);
  }
  return next ?? ((doc) => doc);
}

type Step = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'wild' };

export class JsonPathError extends Error {}

export function compilePath(source: string): CompiledPath {
  let query;
  try {
    query = env.compile(source);
  } catch (err) {
    throw new JsonPathError(`invalid JSONPath ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
  const steps = simpleSteps(query.segments);
  return steps ? new WalkPath(source, steps) : new LibraryPath(source, query);
}

function simpleSteps(segments: readonly jsonpath.JSONPathSegment[]): Step[] | undefined {
  const steps: Step[] = [];
  for (const seg of segments) {
    if (seg.constructor.name !== 'ChildSegment' || seg.selectors.length !== 1) return undefined;
    const sel = seg.selectors[0];
    if (sel instanceof jsonpath.selectors.NameSelector) steps.push({ kind: 'name', name: sel.name });
    else if (sel instanceof jsonpath.selectors.IndexSelector) steps.push({ kind: 'index', index: sel.index });
    else if (sel instanceof jsonpath.selectors.WildcardSelector) steps.push({ kind: 'wild' });
    else return undefined;
  }
  return steps;
}

class WalkPath implements CompiledPath {
  private readonly singular: boolean;
  readonly getter: Getter | undefined;
  constructor(readonly source: string, private readonly steps: Step[]) {
    this.singular = steps.every((s) => s.kind !== 'wild');
    this.getter = compileGetter(steps);
  }

  first(doc: unknown): unknown {
    if (this.singular) {
      let cur = doc;
      for (const step of this.steps) {
        const next = child(cur, step);
        if (next === NOTHING) return NOTHING;
        cur = next;
      }
      return cur;
    }
    const found = this.all(doc);
    return found.length ? found[0]!.value : NOTHING;
  }

  all(doc: unknown): Match[] {
    const out: Match[] = [];
    this.walk(doc, undefined, 0, (value, key) => {
      out.push({ value, key });
    });
    return out;
  }

  each(doc: unknown, visit: (value: unknown, key: string | number | undefined) => boolean | void): void {
    this.walk(doc, undefined, 0, visit);
  }

  /** False once `visit` asked to stop. */
  private walk(cur: unknown, key: string | number | undefined, i: number, visit: (value: unknown, key: string | number | undefined) => boolean | void): boolean {
    if (i === this.steps.length) return visit(cur, key) !== false;
    const step = this.steps[i]!;
    if (step.kind === 'wild') {
      if (Array.isArray(cur)) {
        for (let j = 0; j < cur.length; j++) if (!this.walk(cur[j], j, i + 1, visit)) return false;
      } else if (cur !== null && typeof cur === 'object') {
        for (const k of Object.keys(cur)) if (!this.walk((cur as Record<string, unknown>)[k], k, i + 1, visit)) return false;
      }
      return true;
    }
    const next = child(cur, step);
    if (next === NOTHING) return true;
    return this.walk(next, step.kind === 'name' ? step.name : normIndex(cur as unknown[], step.index), i + 1, visit);
  }
}

function normIndex(arr: unknown[], index: number): number {
  return index < 0 ? arr.length + index : index;
}

function child(cur: unknown, step: Step): unknown {
  if (step.kind === 'name') {
    if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, step.name)) {
      return (cur as Record<string, unknown>)[step.name];
    }
    return NOTHING;
  }
  if (step.kind === 'index' && Array.isArray(cur)) {
    const i = normIndex(cur, step.index);
    return i >= 0 && i < cur.length ? cur[i] : NOTHING;
  }
  return NOTHING;
}

class LibraryPath implements CompiledPath {
  constructor(readonly source: string, private readonly query: jsonpath.JSONPathQuery) {}

  all(doc: unknown): Match[] {
    const out: Match[] = [];
    for (const node of this.query.lazyQuery(doc as JSONValue)) {
      out.push({ value: node.value, key: node.location[node.location.length - 1] });
    }
    return out;
  }

  each(doc: unknown, visit: (value: unknown, key: string | number | undefined) => boolean | void): void {
    for (const node of this.query.lazyQuery(doc as JSONValue)) {
      if (visit(node.value, node.location[node.location.length - 1]) === false) return;
    }
  }

  first(doc: unknown): unknown {
    const node = this.query.match(doc as JSONValue);
    return node === undefined ? NOTHING : node.value;
  }
}

/**
 * A condition: an RFC 9535 filter expression (what goes inside `[?…]`), with `@` the
 * item it is asked about and `$` the variables in scope (`$.site`, `$.key`).
 * `@.ThermalSubsystem`, `@.ReadingType == "Temperature" || @.ReadingUnits == "Cel"`,
 * `!$.sensors`.
 */
export interface Condition {
  readonly source: string;
  holds(item: unknown, vars: Readonly<Record<string, unknown>>, key?: string | number): boolean;
}

type FilterExpression = { evaluate(context: unknown): unknown };

export function compileCondition(source: string): Condition {
  let query;
  try {
    query = env.compile(`$[?${source}]`);
  } catch (err) {
    // json-p3 points into the query it was given ($[?…]), not into the condition: say only what.
    throw new JsonPathError(`invalid condition ${JSON.stringify(source)}: ${(err as Error).message.replace(/ \('.*':\d+\)$/s, '')}`);
  }
  // The source must be one filter expression, not something that closes the bracket and
  // goes on (`@.a], $.b`).
  const seg = query.segments;
  const sel = seg.length === 1 && seg[0]!.selectors.length === 1 ? seg[0]!.selectors[0] : undefined;
  if (!(sel instanceof jsonpath.selectors.FilterSelector)) throw new JsonPathError(`invalid condition ${JSON.stringify(source)}: expected one filter expression, such as @.Status.Health == "OK"`);
  const expression = (sel as unknown as { expression: FilterExpression }).expression;
  return {
    source,
    holds(item, vars, key) {
      return expression.evaluate({ environment: env, currentValue: item, rootValue: variables(vars, key), currentKey: key }) === true;
    },
  };
}

// The variables as a JSON object for `$`: captured values that matched nothing are absent.
const asRoot = new WeakMap<object, Record<string, unknown>>();
function variables(vars: Readonly<Record<string, unknown>>, key: string | number | undefined): Record<string, unknown> {
  let root = key === undefined ? asRoot.get(vars) : undefined;
  if (!root) {
    root = {};
    for (const [k, v] of Object.entries(vars)) if (v !== NOTHING) root[k] = v;
    if (key === undefined) asRoot.set(vars, root);
    else root['key'] = key;
  }
  return root;
}

/**
 * `$.a.b` for `$.a.b[*]`, `$.a.b.*` or `$.a.b[?@.x]`: the list or map a path's last
 * wildcard or filter walks, so that "walked an empty one" can be told from "found none to
 * walk". Undefined for a path that does not end in a wildcard or a filter.
 */
export function containerSource(source: string): string | undefined {
  const segments = env.compile(source).segments;
  const last = segments.at(-1);
  if (!last || last.constructor.name !== 'ChildSegment' || last.selectors.length !== 1) return undefined;
  const sel = last.selectors[0];
  if (!(sel instanceof jsonpath.selectors.WildcardSelector) && !(sel instanceof jsonpath.selectors.FilterSelector)) return undefined;
  return `$${segments.slice(0, -1).map((s) => s.toString()).join('')}`;
}
