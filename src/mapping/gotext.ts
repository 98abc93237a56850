// JSON values as text the way Go prints them, and text back to numbers the way Go
// parses them: what json_exporter does with every label and value (its JSONPath
// prints each match with fmt, then strconv parses the text). Metrics with `go_text`
// read their labels and values through here so that converted json_exporter
// modules give the same series; other metrics never touch this file.

/**
 * A float64 as Go's fmt %v prints it: %g with the shortest digits, in exponent form
 * when the exponent is below -4 or at least 6 (`1e+06`, `1.234567e+06`, `1e-05`).
 */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // toExponential() without a digit count gives the shortest digits that read back
  // as n, as strconv's shortest formatting does.
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/** A JSON value as Go's fmt prints what encoding/json decoded: text for scalars, JSON for objects and lists. */
export function goText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return goFloat(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v === null || v === undefined ? '<nil>' : goJson(v);
  }
}

// encoding/json escapes <, > and & for HTML, and U+2028/U+2029 for JavaScript.
const GO_JSON_ESCAPES = /[<>&\u2028\u2029]/g;

/** JSON as Go's encoding/json writes it: object keys sorted, HTML-sensitive characters escaped. */
export function goJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    const text = JSON.stringify(v) ?? 'null';
    return typeof v === 'string' ? text.replace(GO_JSON_ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
  }
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const keys = Object.keys(v).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return `{${keys.map((k) => `${goJson(k)}:${goJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

const GO_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_HEX = /^([+-]?)0[xX]((?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+))[pP]([+-]?\d+)$/;
const GO_INF = /^[+-]?(?:inf|infinity)$/i;
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * A number from text as json_exporter reads it (strconv.ParseFloat, else
 * strconv.ParseBool, and `<nil>`, a JSON null, as NaN); undefined when Go fails too.
 */
export function parseGoValue(text: string): number | undefined {
  if (GO_DECIMAL.test(text)) {
    const n = Number(text);
    // ParseFloat reports a value beyond float64 as an error.
    return Number.isFinite(n) ? n : undefined;
  }
  if (GO_INF.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (text.toLowerCase() === 'nan' || text === '<nil>') return NaN;
  const hex = GO_HEX.exec(text);
  if (hex) {
    const [int = '', frac = ''] = hex[2]!.split('.');
    const mantissa = Number.parseInt(`${int}${frac}` || '0', 16);
    const n = mantissa * 2 ** (Number(hex[3]) - 4 * frac.length);
    if (!Number.isFinite(n)) return undefined;
    return hex[1] === '-' ? -n : n;
  }
  if (GO_TRUE.has(text)) return 1;
  if (GO_FALSE.has(text)) return 0;
  return undefined;
}

// Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const NOT_PRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;
const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\',
};

/** A string double-quoted as Go's %q (sprig's `quote`) writes it. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const short = SHORT_ESCAPES[c];
    if (short) out += short;
    else if (!NOT_PRINTABLE.test(c)) out += c;
    else {
      const cp = c.codePointAt(0)!;
      if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}
