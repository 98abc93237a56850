// Label and value expressions, compiled once at config load:
//   42, true, "text"        a literal
//   "$.Status.Health"       a JSONPath on the current item
//   "cpu-{$.Id}/{key}"      a template: text around {JSONPath} or {variable}; {{ and }} escape braces
// Variables are `key` (the key or index of the current item in its parent) and the
// names captured with `vars:` by fan-outs and enclosing `each` steps.
import { goText } from './gotext.js';
import { compilePath, NOTHING, singularGetter, type CompiledPath } from './jsonpath.js';

export interface Scope {
  item: unknown;
  key: string | number | undefined;
  vars: Readonly<Record<string, unknown>>;
}

export type Expr =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'path'; path: CompiledPath }
  | { kind: 'var'; name: string }
  | { kind: 'template'; parts: Array<string | Expr> }
  // json_exporter's reading (metrics with go_text): every match printed as Go prints
  // it, joined by spaces; a template with a part that matches nothing is nothing.
  | { kind: 'go'; inner: Expr };

export class ExprError extends Error {}

/** Every brace is syntax here; request templates are module/url-plan.ts's. */
export function compileExpr(source: string | number | boolean, knownVars: ReadonlySet<string>): Expr {
  if (typeof source !== 'string') return { kind: 'literal', value: source };
  if (source.startsWith('$')) return { kind: 'path', path: compilePath(source) };
  if (!source.includes('{') && !source.includes('}')) return { kind: 'literal', value: source };
  const parts: Array<string | Expr> = [];
  let text = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if ((c === '{' || c === '}') && source[i + 1] === c) {
      text += c;
      i++;
      continue;
    }
    if (c === '}') throw new ExprError(`unmatched "}" at offset ${i} in ${JSON.stringify(source)} (write "}}" for a literal brace)`);
    if (c !== '{') {
      text += c;
      continue;
    }
    const end = findClose(source, i);
    if (end < 0) throw new ExprError(`unclosed "{" at offset ${i} in ${JSON.stringify(source)} (write "{{" for a literal brace)`);
    const inner = source.slice(i + 1, end).trim();
    if (text) parts.push(text);
    text = '';
    parts.push(compilePlaceholder(inner, knownVars));
    i = end;
  }
  if (text) parts.push(text);
  if (parts.length === 1 && typeof parts[0] !== 'string') return parts[0]!;
  return { kind: 'template', parts };
}

// A placeholder's JSONPath may itself contain brackets and quoted braces.
function findClose(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === '}' && depth <= 0) return i;
  }
  return -1;
}

function compilePlaceholder(inner: string, knownVars: ReadonlySet<string>): Expr {
  if (inner.startsWith('$')) return { kind: 'path', path: compilePath(inner) };
  if (inner === 'key' || knownVars.has(inner)) return { kind: 'var', name: inner };
  const known = ['key', ...knownVars].join(', ');
  throw new ExprError(`unknown variable {${inner}} (known here: ${known}; a JSONPath starts with $)`);
}

/** The raw value of an expression: a JSON value, or NOTHING when a path matches nothing. */
export function evaluate(expr: Expr, scope: Scope): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'path':
      return expr.path.first(scope.item);
    case 'var':
      return expr.name === 'key' ? (scope.key ?? NOTHING) : (scope.vars[expr.name] ?? NOTHING);
    case 'template': {
      let out = '';
      for (const part of expr.parts) out += typeof part === 'string' ? part : toLabelValue(evaluate(part, scope));
      return out;
    }
    case 'go':
      return evaluateGo(expr.inner, scope);
  }
}

/**
 * An expression as a plain function of the scope, giving what `evaluate` gives: a literal
 * returns itself, a path of names and indexes reads properties, a template joins its
 * parts. What has no such form (go_text readings, paths with wildcards, filters or
 * descendants) calls `evaluate`, the reference (a property test holds the two equal).
 */
export function compileReader(expr: Expr): (scope: Scope) => unknown {
  switch (expr.kind) {
    case 'literal': {
      const { value } = expr;
      return () => value;
    }
    case 'path': {
      const get = singularGetter(expr.path);
      if (get) return (scope) => get(scope.item);
      const { path } = expr;
      return (scope) => path.first(scope.item);
    }
    case 'var': {
      const { name } = expr;
      if (name === 'key') return (scope) => scope.key ?? NOTHING;
      return (scope) => scope.vars[name] ?? NOTHING;
    }
    case 'template': {
      const parts = expr.parts.map((p) => (typeof p === 'string' ? p : compileReader(p)));
      return (scope) => {
        let out = '';
        for (const part of parts) out += typeof part === 'string' ? part : toLabelValue(part(scope));
        return out;
      };
    }
    case 'go':
      return (scope) => evaluate(expr, scope);
  }
}

function evaluateGo(expr: Expr, scope: Scope): string | typeof NOTHING {
  switch (expr.kind) {
    case 'path': {
      const found = expr.path.all(scope.item);
      if (found.length === 0) return NOTHING;
      if (found.length === 1) return goText(found[0]!.value);
      return found.map((m) => goText(m.value)).join(' ');
    }
    case 'template': {
      let out = '';
      for (const part of expr.parts) {
        if (typeof part === 'string') {
          out += part;
          continue;
        }
        const text = evaluateGo(part, scope);
        if (text === NOTHING) return NOTHING;
        out += text;
      }
      return out;
    }
    default: {
      const v = evaluate(expr, scope);
      return v === NOTHING ? NOTHING : goText(v);
    }
  }
}

/** A label value: strings as they are, numbers and booleans printed, anything else empty. */
export function toLabelValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return '';
  }
}

export function describeExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return JSON.stringify(expr.value);
    case 'path':
      return expr.path.source;
    case 'var':
      return `{${expr.name}}`;
    case 'template':
      // Written back in template syntax: literal braces doubled, placeholders in single braces.
      return expr.parts
        .map((p) => (typeof p === 'string' ? p.replace(/[{}]/g, '$&$&') : p.kind === 'var' ? `{${p.name}}` : `{${describeExpr(p)}}`))
        .join('');
    case 'go':
      return describeExpr(expr.inner);
  }
}
