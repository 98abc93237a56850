// The Go text/template subset json_exporter users write in `body.content` with
// `templatize: true`, compiled at load into an apiprobe request template. The data
// of the Go template are the probe's query parameters (url.Values: a list of strings
// per name), so the useful forms read one parameter:
//
//   {{ .site | first }}            {{ first .site }}   {{ index .site 0 }}   → {site}, required
//   {{ .site | first | default "hq" }}   {{ default "hq" (first .site) }}  → {site}, default hq
//   {{ .site | first | quote }}                                           → {site|quote}
//   {{ .site }}                    (Go prints the list: [hq])             → [{site}]
//   {{ "text" }}  {{/* comment */}}  {{- trims -}}
//
// Any other function or action (if, range, with, printf, variables, …) is refused at
// load with a TemplateError naming it.
import { goQuote } from '../mapping/gotext.js';

export class TemplateError extends Error {}

export interface CompiledBody {
  /** The body as an apiprobe request template ({name}, {name|quote} placeholders). */
  template: string;
  /** The probe parameters it reads: name → default (null: required). */
  params: Record<string, string | null>;
}

const SUPPORTED = 'first, index, default, quote';
const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil']);
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// What apiprobe's request templates read as a placeholder: literal text must not hold one.
const PLACEHOLDER = /\{\s*[A-Za-z_][A-Za-z0-9_]*\s*(\|\s*[A-Za-z_]+\s*)?\}/;

type Token =
  | { t: 'field'; name: string }
  | { t: 'dot' }
  | { t: 'string'; value: string }
  | { t: 'number'; value: number; source: string }
  | { t: 'ident'; name: string }
  | { t: 'pipe' }
  | { t: 'open' }
  | { t: 'close' }
  | { t: 'var'; name: string };

type Value =
  | { k: 'list'; param: string }
  | { k: 'str'; param: string; fallback: string | undefined }
  | { k: 'lit'; text: string }
  | { k: 'quoted'; inner: Extract<Value, { k: 'str' }> }
  | { k: 'dot' };

export function compileGoTemplate(content: string): CompiledBody {
  let template = '';
  const params: Record<string, string | null> = {};
  const use = (param: string, fallback: string | null): void => {
    if (!PARAM_NAME.test(param)) throw new TemplateError(`parameter ${JSON.stringify(param)} cannot be an apiprobe parameter (expected [A-Za-z_][A-Za-z0-9_]*)`);
    if (!Object.hasOwn(params, param)) {
      params[param] = fallback;
      return;
    }
    const before = params[param]!;
    // A use without default makes the parameter required; two different defaults cannot both hold.
    if (before === null || fallback === null) params[param] = null;
    else if (before !== fallback) throw new TemplateError(`parameter ${param} is given two defaults (${JSON.stringify(before)} and ${JSON.stringify(fallback)})`);
  };
  const literal = (text: string): void => {
    const clash = PLACEHOLDER.exec(text);
    if (clash) throw new TemplateError(`the text ${JSON.stringify(clash[0])} would read as an apiprobe parameter placeholder`);
    template += text;
  };

  let i = 0;
  let trimNext = false;
  while (i < content.length) {
    const open = content.indexOf('{{', i);
    let text = content.slice(i, open < 0 ? content.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      literal(text);
      break;
    }
    let start = open + 2;
    if (content[start] === '-' && /\s/.test(content[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start += 2;
    }
    literal(text);
    const { tokens, end, trimAfter } = tokenize(content, start);
    i = end;
    trimNext = trimAfter;
    if (tokens.length === 0) continue; // a comment
    const value = evalPipeline(tokens);
    switch (value.k) {
      case 'lit':
        literal(value.text);
        break;
      case 'str':
        use(value.param, value.fallback ?? null);
        template += `{${value.param}}`;
        break;
      case 'quoted':
        use(value.inner.param, value.inner.fallback ?? null);
        template += `{${value.inner.param}|quote}`;
        break;
      case 'list':
        // Go prints the list of values, [] when the parameter is absent.
        use(value.param, '');
        template += `[{${value.param}}]`;
        break;
      case 'dot':
        throw new TemplateError('{{ . }} prints every query parameter; read one with {{ .name | first }}');
    }
  }
  return { template, params };
}

function tokenize(s: string, from: number): { tokens: Token[]; end: number; trimAfter: boolean } {
  const tokens: Token[] = [];
  let i = from;
  for (;;) {
    while (/\s/.test(s[i] ?? '')) {
      // " -}}" trims the text after the action.
      if (s.startsWith('-}}', i + 1)) return { tokens, end: i + 4, trimAfter: true };
      i++;
    }
    if (i >= s.length) throw new TemplateError('unclosed action: "{{" without "}}"');
    if (s.startsWith('}}', i)) return { tokens, end: i + 2, trimAfter: false };
    if (s.startsWith('/*', i)) {
      const close = s.indexOf('*/', i + 2);
      if (close < 0) throw new TemplateError('unclosed comment');
      i = close + 2;
      continue;
    }
    const c = s[i]!;
    if (c === '|') {
      tokens.push({ t: 'pipe' });
      i++;
    } else if (c === '(') {
      tokens.push({ t: 'open' });
      i++;
    } else if (c === ')') {
      tokens.push({ t: 'close' });
      i++;
    } else if (c === '"') {
      const m = /^"(?:[^"\\\n]|\\.)*"/.exec(s.slice(i));
      if (!m) throw new TemplateError('unterminated string');
      tokens.push({ t: 'string', value: unquoteGo(m[0]) });
      i += m[0].length;
    } else if (c === '`') {
      const close = s.indexOf('`', i + 1);
      if (close < 0) throw new TemplateError('unterminated raw string');
      tokens.push({ t: 'string', value: s.slice(i + 1, close) });
      i = close + 1;
    } else if (c === '.') {
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*)?/.exec(s.slice(i))!;
      if (m[1] === undefined) tokens.push({ t: 'dot' });
      else {
        if (s[i + m[0].length] === '.') throw new TemplateError(`.${m[1]}.… reads into a parameter; parameters are lists of strings`);
        tokens.push({ t: 'field', name: m[1] });
      }
      i += m[0].length;
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(s.slice(i))!;
      tokens.push({ t: 'var', name: m[0] });
      i += m[0].length;
    } else if (/[-+\d]/.test(c)) {
      const m = /^[-+]?\d+(\.\d+)?/.exec(s.slice(i));
      if (!m) throw new TemplateError(`unexpected ${JSON.stringify(c)} in action`);
      tokens.push({ t: 'number', value: Number(m[0]), source: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))!;
      tokens.push({ t: 'ident', name: m[0] });
      i += m[0].length;
    } else if (c === ':' || c === '=') {
      throw new TemplateError('template variables ($x := …) are not supported');
    } else {
      throw new TemplateError(`unexpected ${JSON.stringify(c)} in action`);
    }
  }
}

const GO_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** A Go interpreted string literal's value. */
function unquoteGo(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCodePoint(/^[0-7]/.test(e) ? Number.parseInt(e, 8) : Number.parseInt(e.slice(1), 16));
    const c = GO_ESCAPES[e];
    if (c === undefined) throw new TemplateError(`invalid escape \\${e} in ${quoted}`);
    return c;
  });
}

function evalPipeline(tokens: Token[]): Value {
  let pos = 0;
  const pipeline = (): Value => {
    let value = command(undefined);
    while (tokens[pos]?.t === 'pipe') {
      pos++;
      value = command(value);
    }
    return value;
  };
  const operand = (): Value => {
    const tok = tokens[pos++];
    if (!tok) throw new TemplateError('missing value in action');
    switch (tok.t) {
      case 'field':
        return { k: 'list', param: tok.name };
      case 'dot':
        return { k: 'dot' };
      case 'string':
        return { k: 'lit', text: tok.value };
      case 'number':
        return { k: 'lit', text: tok.source };
      case 'open': {
        const v = pipeline();
        if (tokens[pos++]?.t !== 'close') throw new TemplateError('unclosed "(" in action');
        return v;
      }
      case 'var':
        throw new TemplateError(`template variable ${tok.name} is not supported`);
      case 'ident':
        throw new TemplateError(`function ${JSON.stringify(tok.name)} used as a value needs parentheses`);
      default:
        throw new TemplateError(`unexpected "${tok.t === 'pipe' ? '|' : ')'}" in action`);
    }
  };
  const command = (piped: Value | undefined): Value => {
    const tok = tokens[pos];
    if (tok?.t !== 'ident') {
      if (piped) throw new TemplateError('only a function can follow "|"');
      return operand();
    }
    pos++;
    if (KEYWORDS.has(tok.name)) throw new TemplateError(`{{ ${tok.name} }} is not supported in body templates (supported: ${SUPPORTED})`);
    const args: Value[] = [];
    while (pos < tokens.length && tokens[pos]!.t !== 'pipe' && tokens[pos]!.t !== 'close') args.push(operand());
    if (piped) args.push(piped);
    return call(tok.name, args);
  };
  const value = pipeline();
  if (pos < tokens.length) throw new TemplateError('unexpected text after the value in action');
  return value;
}

function call(name: string, args: Value[]): Value {
  const arity = (n: number): void => {
    if (args.length !== n) throw new TemplateError(`${name} takes ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`);
  };
  switch (name) {
    case 'first': {
      arity(1);
      const list = args[0]!;
      if (list.k !== 'list') throw new TemplateError('first takes a parameter list such as .name');
      return { k: 'str', param: list.param, fallback: undefined };
    }
    case 'index': {
      arity(2);
      const [base, key] = args as [Value, Value];
      if (base.k === 'dot' && key.k === 'lit') return { k: 'list', param: key.text };
      if (base.k === 'list' && key.k === 'lit' && key.text === '0') return { k: 'str', param: base.param, fallback: undefined };
      throw new TemplateError('index is supported as index .name 0 (the first value) or index . "name"; apiprobe takes one value per parameter');
    }
    case 'default': {
      arity(2);
      const [fallback, given] = args as [Value, Value];
      if (fallback.k !== 'lit') throw new TemplateError('default takes a literal default: default "value" …');
      if (given.k === 'lit') return given.text === '' ? fallback : given;
      if (given.k === 'str') return { ...given, fallback: given.fallback ?? fallback.text };
      throw new TemplateError('default applies to one value: write .name | first | default "value"');
    }
    case 'quote': {
      arity(1);
      const v = args[0]!;
      if (v.k === 'lit') return { k: 'lit', text: goQuote(v.text) };
      if (v.k === 'str') return { k: 'quoted', inner: v };
      throw new TemplateError('quote applies to one value: write .name | first | quote');
    }
    default:
      throw new TemplateError(`function ${JSON.stringify(name)} is not supported in body templates (supported: ${SUPPORTED})`);
  }
}
