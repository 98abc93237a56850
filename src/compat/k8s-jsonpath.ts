// Kubernetes JSONPath templates (what json_exporter's `path`, `labels`, `values` and
// `epochTimestamp` hold) translated at load into apiprobe expressions over RFC 9535
// JSONPath:
//
//   '{ .counter }'                         → '$.counter'
//   '{.values[?(@.state == "ACTIVE")]}'    → '$.values[?@.state == "ACTIVE"]'
//   '{ [*] }'                              → '$[*]'
//   'planet-{.location}'                   → 'planet-{$.location}'
//   'beta'                                 → 'beta'
//
// The parser follows k8s.io/client-go/util/jsonpath's grammar (fields end at space,
// '.', ',', '[', ']', '$', '@', '{', '}'; a backslash escapes; ['a.b'] is the path
// .a.b; [*] is the slice [:]; filters are [?(left op right)] or [?(path)]). Anything
// without an RFC 9535 equivalent is a K8sPathError naming the construct.

export class K8sPathError extends Error {}

type Node =
  | { t: 'field'; name: string }
  | { t: 'wild' }
  | { t: 'slice'; start: number | undefined; end: number | undefined; step: number | undefined }
  | { t: 'index'; index: number }
  | { t: 'union'; items: Node[][] }
  | { t: 'filter'; left: Node[]; op: string; right: Node[] }
  | { t: 'recursive' }
  | { t: 'text'; value: string }
  | { t: 'number'; value: number; source: string }
  | { t: 'bool'; value: boolean }
  | { t: 'ident'; name: string };

type Part = { text: string } | { action: Node[] };

const DICT_KEY = /^'([^']*)'$/;
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const FILTER = /^([^!<>=]+)([!<>=~]+)(.+?)$/;
const SHORTHAND = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPERATORS = new Set(['==', '!=', '<', '>', '<=', '>=']);

function isTerminator(c: string | undefined): boolean {
  return c === undefined || ' \t\r\n.,[]$@{}'.includes(c);
}

function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
}

/** Parses a whole template: text and {…} actions. */
function parseTemplate(src: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < src.length) {
    if (src[i] !== '{') {
      text += src[i++];
      continue;
    }
    if (text) parts.push({ text });
    text = '';
    const parser = new ActionParser(src, i + 1);
    parts.push({ action: parser.parseAction() });
    i = parser.pos;
  }
  if (text) parts.push({ text });
  return parts;
}

class ActionParser {
  constructor(readonly src: string, public pos: number) {}

  /** Nodes up to and including the closing brace (or the end of the input, for sub-actions). */
  parseAction(sub = false): Node[] {
    const nodes: Node[] = [];
    for (;;) {
      const s = this.src;
      const c = s[this.pos];
      if (c === undefined) {
        if (sub) return nodes;
        throw new K8sPathError('unclosed action: a "{" without its "}"');
      }
      if (c === '}') {
        this.pos++;
        return nodes;
      }
      if (s.startsWith('[?(', this.pos)) nodes.push(this.parseFilter());
      else if (s.startsWith('..', this.pos)) {
        if (nodes[nodes.length - 1]?.t === 'recursive') throw new K8sPathError('invalid multiple recursive descent');
        this.pos += 2;
        nodes.push({ t: 'recursive' });
        if (isAlphaNumeric(s[this.pos])) nodes.push(this.parseField());
      } else if (c === ' ' || c === '@' || c === '$') this.pos++;
      else if (c === '[') nodes.push(...this.parseArray());
      else if (c === '"' || c === "'") nodes.push(this.parseQuote(c));
      else if (c === '.') {
        this.pos++;
        nodes.push(this.parseField());
      } else if (c === '+' || c === '-' || /\d/.test(c)) nodes.push(this.parseNumber());
      else if (isAlphaNumeric(c)) nodes.push(this.parseIdentifier());
      else if (c === '\r' || c === '\n') throw new K8sPathError('unclosed action: a "{" without its "}" on the same line');
      else throw new K8sPathError(`unrecognized character ${JSON.stringify(c)} in {…}`);
    }
  }

  private parseField(): Node {
    let name = '';
    while (!isTerminator(this.src[this.pos])) {
      if (this.src[this.pos] === '\\') this.pos++;
      if (this.pos < this.src.length) name += this.src[this.pos];
      this.pos++;
    }
    return name === '*' ? { t: 'wild' } : { t: 'field', name };
  }

  private parseIdentifier(): Node {
    const start = this.pos;
    while (!isTerminator(this.src[this.pos])) this.pos++;
    const name = this.src.slice(start, this.pos);
    if (name === 'true' || name === 'false') return { t: 'bool', value: name === 'true' };
    return { t: 'ident', name };
  }

  private parseNumber(): Node {
    const start = this.pos;
    if (this.src[this.pos] === '+' || this.src[this.pos] === '-') this.pos++;
    while (this.src[this.pos] === '.' || /\d/.test(this.src[this.pos] ?? '')) this.pos++;
    const source = this.src.slice(start, this.pos);
    const value = Number(source);
    if (source === '' || !Number.isFinite(value) || /^[+-]?$/.test(source)) throw new K8sPathError(`cannot parse number ${JSON.stringify(source)}`);
    return { t: 'number', value, source };
  }

  private parseQuote(quote: string): Node {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || c === '\n') throw new K8sPathError('unterminated quoted string');
      this.pos++;
      if (c === quote && this.src[this.pos - 2] !== '\\') break;
    }
    return { t: 'text', value: unquote(this.src.slice(start, this.pos)) };
  }

  private parseArray(): Node[] {
    const start = this.pos + 1;
    for (;;) {
      this.pos++;
      const c = this.src[this.pos];
      if (c === undefined || c === '\n') throw new K8sPathError('unterminated "[" in path');
      if (c === ']') break;
    }
    let text = this.src.slice(start, this.pos);
    this.pos++;
    if (text === '*') text = ':';
    const items = text.split(',');
    if (items.length > 1) return [{ t: 'union', items: items.map((item) => subAction(`[${item.trim()}]`)) }];
    const key = DICT_KEY.exec(text);
    if (key) return subAction(`.${key[1]}`);
    const m = SLICE.exec(text);
    if (!m) throw new K8sPathError(`invalid array index [${text}]`);
    const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));
    const first = num(m[1]);
    // [n] (and [], which k8s reads as [0]) is one element; anything with a colon is a slice.
    if (m[2] === undefined) return [{ t: 'index', index: first ?? 0 }];
    const step = num(m[3]?.slice(1));
    if (step !== undefined && step <= 0) throw new K8sPathError('step must be > 0');
    return [{ t: 'slice', start: first, end: num(m[2].slice(1)), step }];
  }

  private parseFilter(): Node {
    this.pos += 3;
    const start = this.pos;
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || c === '\n') throw new K8sPathError('unterminated filter [?(…)]');
      this.pos++;
      if (c === '"' || c === "'") {
        if (!begin) {
          begin = true;
          pair = c;
        } else if (this.src[this.pos - 2] !== '\\' && c === pair) end = true;
      } else if (c === ')' && begin === end) break;
    }
    if (this.src[this.pos] !== ']') throw new K8sPathError('unclosed filter: expected "]" after "[?(…)"');
    const text = this.src.slice(start, this.pos - 1);
    this.pos++;
    const m = FILTER.exec(text);
    if (!m) return { t: 'filter', left: subAction(text), op: 'exists', right: [] };
    return { t: 'filter', left: subAction(m[1]!), op: m[2]!, right: subAction(m[3]!) };
  }
}

/** A fragment parsed as the inside of an action, as k8s parses unions, dict keys and filter sides. */
function subAction(text: string): Node[] {
  const parser = new ActionParser(text, 0);
  const nodes = parser.parseAction(true);
  return nodes;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', '"': '"', "'": "'", '/': '/' };

/** Go's strconv.Unquote extended to single quotes, as k8s's UnquoteExtend. */
function unquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCodePoint(Number.parseInt(/^[0-7]/.test(e) ? e : e.slice(1), /^[0-7]/.test(e) ? 8 : 16));
    const c = ESCAPES[e];
    if (c === undefined) throw new K8sPathError(`invalid escape \\${e} in ${quoted}`);
    return c;
  });
}

function rfcName(name: string): string {
  return SHORTHAND.test(name) ? name : JSON.stringify(name);
}

function selector(node: Node, where: string): string {
  switch (node.t) {
    case 'field':
      return JSON.stringify(node.name);
    case 'wild':
      return '*';
    case 'index':
      return String(node.index);
    case 'slice':
      if (node.start === undefined && node.end === undefined && node.step === undefined) return '*';
      return `${node.start ?? ''}:${node.end ?? ''}${node.step === undefined ? '' : `:${node.step}`}`;
    default:
      throw new K8sPathError(`${where} cannot be translated to RFC 9535 JSONPath`);
  }
}

/** RFC 9535 path for k8s path nodes, from `$` (the document or current item) or `@` (a filter's element). */
function emitPath(nodes: Node[], root: '$' | '@'): string {
  let out: string = root;
  let descend = false;
  for (const node of nodes) {
    const dot = descend ? '..' : '.';
    const open = descend ? '..[' : '[';
    switch (node.t) {
      case 'recursive':
        descend = true;
        continue;
      case 'field':
        out += SHORTHAND.test(node.name) ? `${dot}${node.name}` : `${open}${rfcName(node.name)}]`;
        break;
      case 'wild':
        out += descend ? '..*' : '[*]';
        break;
      case 'index':
      case 'slice':
        out += `${open}${selector(node, 'a slice')}]`;
        break;
      case 'union':
        out += `${open}${node.items
          .map((item) => {
            if (item.length !== 1) throw new K8sPathError('a union of paths (such as [\'a.b\', \'c\']) cannot be translated: RFC 9535 unions hold single names, indexes or slices');
            return selector(item[0]!, 'this union member');
          })
          .join(',')}]`;
        break;
      case 'filter':
        out += `${open}?${filterExpr(node)}]`;
        break;
      case 'text':
        throw new K8sPathError(`quoted text ${JSON.stringify(node.value)} inside a path cannot be translated`);
      case 'number':
      case 'bool':
        throw new K8sPathError(`literal ${node.t === 'number' ? node.source : String(node.value)} inside a path cannot be translated`);
      case 'ident':
        throw new K8sPathError(identError(node.name));
    }
    descend = false;
  }
  if (descend) throw new K8sPathError('".." must be followed by a field, * or [...]');
  return out;
}

function identError(name: string): string {
  return name === 'range' || name === 'end'
    ? '{range}…{end} iteration is not supported: iterate with type: object instead'
    : `unknown identifier ${JSON.stringify(name)} in {…}`;
}

function operand(nodes: Node[]): string {
  if (nodes.length === 1) {
    const n = nodes[0]!;
    if (n.t === 'text') return JSON.stringify(n.value);
    if (n.t === 'number') return String(n.value);
    if (n.t === 'bool') return String(n.value);
  }
  for (const n of nodes) {
    if (n.t !== 'field' && n.t !== 'index') {
      throw new K8sPathError('a filter compares single values; a side with [*], slices, filters, unions or ".." matches several');
    }
  }
  return emitPath(nodes, '@');
}

function filterExpr(node: Extract<Node, { t: 'filter' }>): string {
  if (node.op === 'exists') return emitPath(node.left, '@');
  const left = operand(node.left);
  const right = operand(node.right);
  if (OPERATORS.has(node.op)) return `${left} ${node.op} ${right}`;
  if (node.op === '=~') {
    if (!right.startsWith('"')) throw new K8sPathError('=~ needs a quoted regular expression on its right');
    return `search(${left}, ${right})`;
  }
  throw new K8sPathError(`unrecognized filter operator ${node.op}`);
}

/** The path of one action, or its literal text when the action is only quoted text. */
function actionExpr(nodes: Node[]): { path: string } | { text: string } {
  if (nodes.length === 1 && nodes[0]!.t === 'text') return { text: nodes[0].value };
  for (const n of nodes) {
    if (n.t === 'ident') throw new K8sPathError(identError(n.name));
    if (n.t === 'text' || n.t === 'number' || n.t === 'bool') {
      throw new K8sPathError(`{…} holding ${n.t === 'text' ? 'quoted text' : 'a literal'} besides a path cannot be translated`);
    }
  }
  return { path: emitPath(nodes, '$') };
}

/** Literal text in an apiprobe template: braces doubled. */
function escapeText(text: string): string {
  return text.replace(/[{}]/g, '$&$&');
}

/**
 * A k8s JSONPath template (label, value or timestamp) as an apiprobe expression:
 * a JSONPath, a template with {JSONPath} placeholders, or literal text.
 */
export function k8sExpression(src: string): string {
  const parts = parseTemplate(src).map((p) => ('text' in p ? p : actionExpr(p.action)));
  if (parts.length === 1 && 'path' in parts[0]!) return parts[0].path;
  const paths = parts.filter((p) => 'path' in p).length;
  const text = parts.map((p) => ('path' in p ? `{${p.path}}` : paths ? escapeText(p.text) : p.text)).join('');
  // Plain text: a literal, unless apiprobe would read it as a path or a template.
  if (paths === 0 && !/[{}]/.test(text) && !text.startsWith('$')) return text;
  if (paths === 0) return escapeText(text).startsWith('$') ? refuseDollar(src) : escapeText(text);
  return text.startsWith('$') ? refuseDollar(src) : text;
}

function refuseDollar(src: string): never {
  throw new K8sPathError(`${JSON.stringify(src)}: literal text starting with "$" cannot be written as an apiprobe expression (it would read as a JSONPath)`);
}

/** The JSONPath of an object metric's `path`: exactly one {…} holding a path. */
export function k8sEachPath(src: string): string {
  const parts = parseTemplate(src);
  if (parts.length !== 1 || !('action' in parts[0]!)) {
    throw new K8sPathError('the path of a type: object metric must be one {…} JSONPath with no text around it');
  }
  const e = actionExpr(parts[0].action);
  if (!('path' in e)) throw new K8sPathError('the path of a type: object metric must select objects, not quoted text');
  return e.path;
}
