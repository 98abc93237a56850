// Request templates (a request's path, query values and body) with the module's params
// as placeholders, and what a probe builds from them. The context each placeholder
// lands in (a path segment, a query value, a JSON string, a form field, …) is decided
// here at config load, and with it how its value is escaped: a value can only ever be
// data in that context, never structure (another host, another path segment, another
// JSON field). A place where no escaping is possible is refused at load, unless the
// template says {name|raw} and the parameter is constrained (an enum or a pattern).
//
//   {name}        escaped for its context
//   {name|quote}  the value double-quoted as Go's %q (json_exporter's `quote`), then escaped
//   {name|path}   in a path: one or more segments, `jenkins/` or `a/b`, each segment escaped
//   {name|raw}    as it is; only for a parameter with an enum or a pattern
import { RE2JS } from 're2js';
import { appendQueryParam } from '../fetch/query.js';
import { goQuote } from '../mapping/gotext.js';

export class TemplateError extends Error {}

/** A probe's parameters cannot be used as given: the caller's mistake, a 400. */
export class ParamError extends Error {}

type Filter = 'plain' | 'quote' | 'path' | 'raw';

/** Where a placeholder's value lands, decided at load. */
type Context = 'segment' | 'query' | 'whole' | 'json-string' | 'json-value' | 'form' | 'text';

interface Slot {
  param: string;
  filter: Filter;
  context: Context;
}

export interface RequestTemplate {
  parts: ReadonlyArray<string | Slot>;
  /** A path starting with "/": built on the target's origin; otherwise resolved against the target URL. */
  absolute: boolean;
}

/** A module's probe parameter, compiled. */
export interface CompiledParam {
  /** The default; null: the probe must give it. */
  fallback: string | null;
  /** The rule a value must follow, in words (for the 400); undefined: any value. */
  rule: string | undefined;
  test: ((value: string) => boolean) | undefined;
}

export interface ParamSpecInput {
  default?: string | null;
  enum?: string[];
  pattern?: string;
}

/**
 * A param as written: `name: default`, `name: null` (required) or
 * `name: { default, enum | pattern }`. The pattern is RE2 syntax, matched against the
 * whole value by a linear-time engine (re2js): a probe's caller cannot make it backtrack.
 */
export function compileParam(spec: string | null | ParamSpecInput): { param: CompiledParam } | { field: string; message: string } {
  if (spec === null || typeof spec === 'string') return { param: { fallback: spec, rule: undefined, test: undefined } };
  const fallback = spec.default ?? null;
  let rule: string | undefined;
  let test: ((v: string) => boolean) | undefined;
  if (spec.enum !== undefined && spec.pattern !== undefined) return { field: 'pattern', message: 'give enum or pattern, not both' };
  if (spec.enum !== undefined) {
    const allowed = new Set(spec.enum);
    rule = `is not one of: ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}`;
    test = (v) => allowed.has(v);
  } else if (spec.pattern !== undefined) {
    let re: RE2JS;
    try {
      re = RE2JS.compile(spec.pattern);
    } catch (err) {
      return { field: 'pattern', message: `not a valid RE2 regular expression: ${(err as Error).message}` };
    }
    rule = `does not match the pattern ${spec.pattern}`;
    test = (v) => re.matches(v);
  }
  if (fallback !== null && test && !test(fallback)) return { field: 'default', message: `the default ${JSON.stringify(fallback)} ${rule}` };
  return { param: { fallback, rule, test } };
}

const PLACEHOLDER = /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*([A-Za-z_]+)\s*)?\}/;
const FILTERS = new Set<string>(['quote', 'path', 'raw']);

/** Literal text and placeholders; other braces are text (a JSON body needs no escaping). */
function split(source: string, params: ReadonlyMap<string, CompiledParam>): Array<string | { param: string; filter: Filter }> {
  const parts: Array<string | { param: string; filter: Filter }> = [];
  let text = '';
  for (let i = 0; i < source.length; i++) {
    const m = source[i] === '{' ? PLACEHOLDER.exec(source.slice(i)) : null;
    if (!m) {
      text += source[i];
      continue;
    }
    const [whole, param, filter] = m as unknown as [string, string, string | undefined];
    if (!params.has(param)) throw new TemplateError(`unknown parameter {${param}} (declared in params: ${[...params.keys()].join(', ') || 'none'})`);
    if (filter !== undefined && !FILTERS.has(filter)) throw new TemplateError(`unknown filter |${filter} in ${whole} (known: quote, path, raw)`);
    if (filter === 'raw' && !params.get(param)!.test) {
      throw new TemplateError(`{${param}|raw} puts the value in unescaped: give param ${param} an enum or a pattern first`);
    }
    if (text) parts.push(text);
    text = '';
    parts.push({ param, filter: (filter ?? 'plain') as Filter });
    i += whole.length - 1;
  }
  if (text) parts.push(text);
  return parts;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * A request's path (and query). It stays on the target: no scheme, no `//` host, no
 * backslash (which URLs read as a slash); placeholders go into path segments or query
 * values, escaped, and none into the fragment (never sent).
 */
export function compileRequestPath(source: string, params: ReadonlyMap<string, CompiledParam>): RequestTemplate {
  const raw = split(source, params);
  const first = raw[0];
  const absolute = source.startsWith('/');
  if (source.startsWith('//')) throw new TemplateError('a path starting with "//" names another host; write one "/"');
  if (source.includes('\\')) throw new TemplateError('a path may not contain "\\" (URLs read it as "/"); write %5C');
  if (!absolute) {
    if (first !== undefined && typeof first !== 'string') throw new TemplateError('a relative path may not start with a parameter (it could become a scheme or a host): write ./{…}');
    const head = (first ?? '').split(/[/?#]/, 1)[0]!;
    if (SCHEME.test(head)) throw new TemplateError(`a path is resolved against the target: ${JSON.stringify(head)} reads as a scheme; write ./${head}`);
  }
  let context: Context | 'fragment' = 'segment';
  const parts: Array<string | Slot> = [];
  for (const part of raw) {
    if (typeof part === 'string') {
      parts.push(part);
      if (context !== 'fragment' && part.includes('#')) context = 'fragment';
      else if (context === 'segment' && part.includes('?')) context = 'query';
      continue;
    }
    if (context === 'fragment') throw new TemplateError(`{${part.param}} is in the #fragment, which is never sent`);
    if (part.filter === 'path' && context !== 'segment') throw new TemplateError(`{${part.param}|path} is for path segments, not the query`);
    parts.push({ ...part, context });
  }
  return { parts, absolute };
}

/** A `query:` value: the whole value is encoded when the pair is added, so placeholders need nothing more. */
export function compileQueryValue(source: string | number | boolean, params: ReadonlyMap<string, CompiledParam>): RequestTemplate {
  if (typeof source !== 'string') return { parts: [String(source)], absolute: false };
  const parts = split(source, params).map((part): string | Slot => {
    if (typeof part === 'string') return part;
    if (part.filter === 'path' || part.filter === 'raw') throw new TemplateError(`{${part.param}|${part.filter}}: a query value is always encoded whole`);
    return { ...part, context: 'whole' };
  });
  return { parts, absolute: false };
}

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;

/**
 * A body. Its kind comes from the request's Content-Type (JSON, a form), else from its
 * first character ({ or [: JSON); any other body is text, where no escaping exists.
 */
export function compileBody(source: string, contentType: string | undefined, params: ReadonlyMap<string, CompiledParam>): RequestTemplate {
  const raw = split(source, params);
  const kind = contentType === undefined
    ? (/^\s*[{[]/.test(source) ? 'json' : 'text')
    : JSON_TYPE.test(contentType) ? 'json' : FORM_TYPE.test(contentType) ? 'form' : 'text';
  const parts: Array<string | Slot> = [];
  if (kind === 'json') {
    // Where each placeholder sits: inside a JSON string or between values.
    let inString = false;
    let escape = 0; // characters of an escape sequence still to come
    for (const part of raw) {
      if (typeof part === 'string') {
        for (const c of part) {
          if (escape > 0) escape = escape === 5 && c === 'u' ? 4 : escape === 5 ? 0 : escape - 1;
          else if (inString && c === '\\') escape = 5;
          else if (c === '"') inString = !inString;
        }
        parts.push(part);
        continue;
      }
      const at = `{${part.param}${part.filter === 'plain' ? '' : `|${part.filter}`}}`;
      if (escape > 0) throw new TemplateError(`${at} is inside an escape sequence of a JSON string`);
      if (part.filter === 'path') throw new TemplateError(`${at}: |path is for request paths`);
      if (inString && part.filter === 'quote') throw new TemplateError(`${at} is inside a JSON string already: write {${part.param}} there (JSON-escaped), or ${at} outside the quotes`);
      if (!inString && part.filter === 'plain') {
        throw new TemplateError(`${at} is outside a JSON string, where no escaping is possible: write "${at}" (a JSON string, escaped) or {${part.param}|quote}, or {${part.param}|raw} with an enum or pattern on the param`);
      }
      parts.push({ ...part, context: inString ? 'json-string' : 'json-value' });
    }
    // The template itself must be JSON, or the contexts above mean nothing.
    const sample = parts.map((p) => (typeof p === 'string' ? p : p.context === 'json-string' ? 'x' : p.filter === 'quote' ? '"x"' : '0')).join('');
    try {
      JSON.parse(sample);
    } catch (err) {
      throw new TemplateError(`the body is JSON by its ${contentType === undefined ? 'first character' : 'Content-Type'} but does not parse (${(err as Error).message}); set a content-type header to say what it is`);
    }
  } else {
    for (const part of raw) {
      if (typeof part === 'string') {
        parts.push(part);
        continue;
      }
      if (part.filter === 'path') throw new TemplateError(`{${part.param}|path}: |path is for request paths`);
      if (kind === 'text' && part.filter === 'plain') {
        throw new TemplateError(`{${part.param}} in a body that is neither JSON nor a form (by its content-type header) cannot be escaped: write {${part.param}|quote}, or {${part.param}|raw} with an enum or pattern on the param`);
      }
      parts.push({ ...part, context: kind === 'form' && part.filter !== 'raw' ? 'form' : 'text' });
    }
  }
  return { parts, absolute: false };
}

/** A lone surrogate: encodeURIComponent throws on it, and no device could read it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Checks a probe's value for a param; throws ParamError naming the param and the rule. */
export function checkParam(module: string, name: string, param: CompiledParam, value: string): void {
  if (param.test && !param.test(value)) throw new ParamError(`parameter "${name}" of module ${module}: ${shown(value)} ${param.rule}`);
  if (LONE_SURROGATE.test(value)) throw new ParamError(`parameter "${name}" of module ${module} is not valid Unicode (a lone surrogate)`);
}

function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

// encodeURIComponent leaves only A-Z a-z 0-9 - _ . ! ~ * ' ( ): none of them ends a
// segment, starts a query or a fragment, or reads as a slash.
const encodeSegment = encodeURIComponent;

/** A form field as browsers encode it (space as +). */
function encodeForm(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

function escaped(slot: Slot, value: string): string {
  const v = slot.filter === 'quote' ? goQuote(value) : value;
  switch (slot.context) {
    case 'segment':
      if (slot.filter === 'raw') return v;
      if (slot.filter === 'path') {
        // Segments separated by "/", each escaped; an empty one (a leading "/", "//")
        // only last: `jenkins/` is a prefix, `/other:8080/` is not.
        const pieces = v.split('/');
        pieces.forEach((p, i) => {
          if (p === '' && i < pieces.length - 1) throw new ParamError('an empty path segment (a leading "/" or "//")');
          if (p === '.' || p === '..') throw new ParamError(`a "${p}" path segment`);
        });
        return v === '' ? '' : pieces.map(encodeSegment).join('/');
      }
      return encodeSegment(v);
    case 'query':
      return slot.filter === 'raw' ? v : encodeURIComponent(v);
    case 'whole':
      return v;
    case 'json-string':
      return slot.filter === 'raw' ? v : JSON.stringify(v).slice(1, -1);
    case 'json-value':
      return v;
    case 'form':
      return encodeForm(v);
    case 'text':
      return v;
  }
}

function fill(module: string, t: RequestTemplate, params: Readonly<Record<string, string>>, checkSegments: boolean): string {
  let out = '';
  let pathEnd = Infinity;
  // Where each value landed in a path, to check the segments it is part of.
  const spans: Array<[number, number, string]> = [];
  for (const part of t.parts) {
    if (typeof part === 'string') {
      if (pathEnd === Infinity) {
        const q = part.search(/[?#]/);
        if (q >= 0) pathEnd = out.length + q;
      }
      out += part;
      continue;
    }
    let text: string;
    try {
      text = escaped(part, params[part.param] ?? '');
    } catch (err) {
      if (!(err instanceof ParamError)) throw err;
      throw new ParamError(`parameter "${part.param}" of module ${module}: ${shown(params[part.param] ?? '')} would make ${err.message}; not sent`);
    }
    if (checkSegments && part.context === 'segment') spans.push([out.length, out.length + text.length, part.param]);
    out += text;
  }
  // A value that completes a "." or ".." segment would move the request up the path.
  for (const [start, end, param] of spans) {
    const from = out.lastIndexOf('/', start - 1) + 1;
    let to = out.indexOf('/', end);
    if (to < 0 || to > pathEnd) to = Math.min(pathEnd, out.length);
    if (DOT_SEGMENT.test(out.slice(from, to))) {
      throw new ParamError(`parameter "${param}" of module ${module}: ${shown(params[param] ?? '')} would make a "${out.slice(from, to)}" path segment (up the path); not sent`);
    }
  }
  return out;
}

/** A body filled with the probe's params. */
export function buildBody(module: string, t: RequestTemplate, params: Readonly<Record<string, string>>): string {
  return fill(module, t, params, false);
}

/**
 * The URL of a request: its path resolved against the target, its query values added.
 * Throws ParamError when the URL would leave the target's origin; the escaping makes that
 * impossible, this is the last line.
 */
export function buildUrl(module: string, path: RequestTemplate | undefined, query: ReadonlyArray<readonly [string, RequestTemplate]>, base: URL, params: Readonly<Record<string, string>>): URL {
  let url: URL;
  if (path === undefined) url = new URL(base);
  else {
    const text = fill(module, path, params, true);
    // On the origin, not against the target URL: a path that became "//x" (empty
    // values around a "/") stays a path and never reads as a host.
    url = path.absolute ? new URL(`${base.origin}${text}`) : new URL(text, base);
  }
  for (const [k, v] of query) appendQueryParam(url, k, fill(module, v, params, false));
  if (url.origin !== base.origin) throw new ParamError(`module ${module}: the request URL ${url.origin} would leave the target ${base.origin}; not sent`);
  return url;
}
