// No regular expression with super-linear backtracking on what a device (or whoever
// calls /probe) sends: the digest challenge parser is a linear tokenizer, and every
// regular expression in src/ and in the shipped modules is checked by recheck (a ReDoS
// analyser: automaton-based where it can, fuzzing otherwise), so that new ones stay safe.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { check } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { challengesIn, parseChallenges } from '../../src/auth/digest.js';
import { ROOT } from '../helpers/exporter.js';

/** Fastest of a few runs, in ms: one slow run on a busy machine is not the parser's. */
function fastest(fn: () => void, runs = 5): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

describe('digest challenges (WWW-Authenticate from the device)', () => {
  // The regex splitter took 340 ms on the first and 110 ms on the second (a quadratic);
  // the tokenizer takes well under 1 ms on each. 20 ms leaves room for a busy machine.
  const hostile: Record<string, string> = {
    'spaces': `Digest realm="a"${' '.repeat(15_000)}x`,
    'a long token': `Digest ${'a'.repeat(15_000)}`,
    'separators': `Digest ${', '.repeat(7_500)}`,
    'escapes': `Digest realm="${'\\"'.repeat(7_500)}`,
    'empty params': `Digest ${'a='.repeat(7_500)}`,
    'schemes': 'Digest '.repeat(2_000),
  };
  for (const [name, header] of Object.entries(hostile)) {
    it(`parses 15 KB of ${name} in linear time`, () => {
      expect(fastest(() => parseChallenges([header]))).toBeLessThan(20);
    });
  }

  it('takes time in proportion to the header: 4× the header, not 16× the time', () => {
    const small = fastest(() => parseChallenges([`Digest realm="a"${' '.repeat(50_000)}x`]));
    const large = fastest(() => parseChallenges([`Digest realm="a"${' '.repeat(200_000)}x`]));
    expect(large).toBeLessThan(Math.max(small, 0.5) * 10);
  });

  it('reads what devices send', () => {
    expect(parseChallenges(['Basic realm="x", Digest realm="r, s", qop="auth,auth-int", nonce="n\\"1", opaque=op, algorithm=SHA-256'])).toEqual({
      realm: 'r, s', nonce: 'n"1', opaque: 'op', qop: 'auth', algorithm: 'SHA-256', stale: false,
    });
    expect(parseChallenges(['Negotiate, Digest realm=x,nonce=y, stale=TRUE'])).toMatchObject({ realm: 'x', nonce: 'y', stale: true, algorithm: 'MD5' });
    expect(parseChallenges(['Bearer abc==, Basic realm="x"'])).toBeUndefined();
  });

  it('reads back any challenge list written as RFC 7235 writes it', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,8}$/);
    const value = fc.string({ maxLength: 12 });
    const challenge = fc.record({ scheme: token, params: fc.dictionary(token.map((t) => t.toLowerCase()), value, { maxKeys: 4 }) });
    fc.assert(fc.property(fc.array(challenge, { minLength: 1, maxLength: 4 }), fc.constantFrom(' ', '  ', '\t'), (list, ws) => {
      const text = list.map((c) => [c.scheme, Object.entries(c.params).map(([k, v]) => `${k}${ws}=${ws}"${v.replace(/(["\\])/g, '\\$1')}"`).join(`,${ws}`)].join(' ')).join(`,${ws}`);
      expect(challengesIn(text)).toEqual(list);
    }));
  });
});

interface Found {
  where: string;
  source: string;
  flags: string;
}

/** The text of a string-valued expression made of literals and same-file constants, if it is one. */
function constantText(node: ts.Expression, constants: Map<string, ts.Expression>, depth = 0): string | undefined {
  if (depth > 10) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return constantText(node.expression, constants, depth + 1);
  if (ts.isIdentifier(node)) {
    const init = constants.get(node.text);
    return init ? constantText(init, constants, depth + 1) : undefined;
  }
  if (ts.isTemplateExpression(node)) {
    let out = node.head.text;
    for (const span of node.templateSpans) {
      const part = constantText(span.expression, constants, depth + 1);
      if (part === undefined) return undefined;
      out += part + span.literal.text;
    }
    return out;
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = constantText(node.left, constants, depth + 1);
    const r = constantText(node.right, constants, depth + 1);
    return l === undefined || r === undefined ? undefined : l + r;
  }
  return undefined;
}

/**
 * Every regular expression in a TypeScript file: literals, and `RegExp(…)` / `new
 * RegExp(…)` whose arguments are constants. One built from anything else is returned
 * with `source` undefined: it must be accounted for in DYNAMIC.
 */
function regexesIn(file: string): Array<Found | { where: string; source: undefined; flags: string }> {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const rel = path.relative(ROOT, file);
  const constants = new Map<string, ts.Expression>();
  const out: Array<Found | { where: string; source: undefined; flags: string }> = [];
  const where = (node: ts.Node): string => `${rel}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const collect = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isVariableDeclarationList(node.parent) && node.parent.flags & ts.NodeFlags.Const) {
      constants.set(node.name.text, node.initializer);
    }
    ts.forEachChild(node, collect);
  };
  collect(sf);
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(sf);
      const end = literal.lastIndexOf('/');
      out.push({ where: where(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      const [pattern, flags] = node.arguments ?? [];
      const source = pattern ? constantText(pattern, constants) : undefined;
      const f = flags ? constantText(flags, constants) : '';
      out.push({ where: where(node), source, flags: f ?? '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Regular expressions in a module file: metric `regex` and the regex format's `pattern`. */
function moduleRegexes(file: string): Found[] {
  const out: Found[] = [];
  const rel = path.relative(ROOT, file);
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        // Matched as the exporter compiles them: a metric's with g (convert: count), a format's with m.
        if (k === 'regex' && typeof x === 'string') out.push({ where: `${rel} ${at}.regex`, source: x, flags: 'g' });
        else if (k === 'pattern' && typeof x === 'string') out.push({ where: `${rel} ${at}.pattern`, source: x, flags: 'gm' });
        else walk(x, `${at}.${k}`);
      }
    }
  };
  walk(parseYaml(readFileSync(file, 'utf8'), { merge: true }), '');
  return out;
}

/**
 * RegExps built at run time, each with where its patterns come from and how they are
 * checked. A new one fails the test until it is accounted for here.
 */
const DYNAMIC: Record<string, string> = {
  'src/module/compile.ts': "a metric's regex from the configuration: the shipped modules' are checked below",
  'src/parse/regex.ts': "the regex format's pattern from the configuration: the shipped modules' are checked below",
  'src/fetch/guard.ts': 'a host pattern of the target rules (* → [a-z0-9-]*(?:\\.[a-z0-9-]+)*?): checked below with patterns of one and two stars',
};

/**
 * Regular expressions recheck finds super-linear that never see what a device or a
 * /probe caller sends, with the reason. Keyed by file and source.
 */
const ALLOWED: Record<string, string> = {
  'src/compat/go-template.ts \\s+$': "a json_exporter template's text, read when a json_exporter configuration is converted",
  'src/compat/k8s-jsonpath.ts ^([^!<>=]+)([!<>=~]+)(.+?)$': 'a filter of a json_exporter JSONPath, read when a configuration is converted',
  "src/config/load.ts , \\w+ '.*'$": "Node's message for a configuration file it cannot read",
  "src/mapping/jsonpath.ts  \\('.*':\\d+\\)$": "json-p3's message for a condition in the configuration",
  'src/metrics/expose.ts 0+$': 'the decimals of a number of milliseconds below 1000 (at most ~20 characters)',
  // Safe by the native checker; the pure-JS fallback (no recheck-linux-x64) cannot decide it in time.
  'src/fetch/transport.ts -----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----': 'inline PEM certificates from the configuration',
  // Only a rule of two stars or more is quadratic, and the guard hands the patterns only
  // names DNS can carry (net/address.ts MAX_NAME: 253 characters; longer ones are refused
  // unparsed, test/fetch/guard.test.ts), so at most ~64 thousand steps.
  'src/fetch/guard.ts ^db-[a-z0-9-]*(?:\\.[a-z0-9-]+)*?\\.[a-z0-9-]*(?:\\.[a-z0-9-]+)*?\\.example\\.com\\.?$':
    'a host pattern with two stars: the names it sees are at most 253 characters (the guard refuses longer ones before any pattern)',
};

const sources: Found[] = [];
const unaccounted: string[] = [];
const dynamicFiles: string[] = [];
for (const file of tsFiles(path.join(ROOT, 'src'))) {
  for (const r of regexesIn(file)) {
    if (r.source !== undefined) sources.push(r);
    else if (r.where.split(':')[0]! in DYNAMIC) dynamicFiles.push(r.where.split(':')[0]!);
    else unaccounted.push(r.where);
  }
}
const modules = readdirSync(path.join(ROOT, 'modules')).filter((f) => f.endsWith('.yml')).map((f) => path.join(ROOT, 'modules', f));
for (const file of [...modules, path.join(ROOT, 'apiprobe.yml')]) sources.push(...moduleRegexes(file));
// The host patterns the target rules build (src/fetch/guard.ts), for one and two stars.
for (const rule of ['*.example.com', '*', 'db-*.*.example.com']) {
  sources.push({ where: `src/fetch/guard.ts host pattern ${rule}`, source: `^${rule.replace(/\./g, '\\.').replace(/\*/g, '[a-z0-9-]*(?:\\.[a-z0-9-]+)*?')}\\.?$`, flags: '' });
}

describe('regular expressions in src/ and the shipped modules', () => {
  it('finds them all: literals, and RegExp() of constants or of an accounted source', () => {
    expect(unaccounted).toEqual([]);
    // One each: a second one in the same file is not covered by what DYNAMIC says.
    expect(dynamicFiles.sort()).toEqual(Object.keys(DYNAMIC).sort());
    // A sanity floor: the walk sees the sources it should.
    expect(sources.filter((s) => s.where.startsWith('src/')).length).toBeGreaterThan(50);
    expect(sources.some((s) => s.where.startsWith('modules/nginx.yml'))).toBe(true);
    expect(sources.some((s) => s.where.startsWith('src/net/address.ts') && s.source.includes('25[0-5]'))).toBe(true);
  });

  it('has none with super-linear backtracking (recheck)', async () => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const r of sources) {
      const id = `${r.flags} ${r.source}`;
      let verdict = seen.get(id);
      if (verdict === undefined) {
        // The automaton checker decides most; fuzzing (the rest) is bounded in time.
        // A sticky regex is tried at one position only: checked as anchored there.
        const source = r.flags.includes('y') ? `^(?:${r.source})` : r.source;
        const result = await check(source, r.flags.replace(/[gy]/g, ''), { timeout: 20_000 });
        verdict = result.status === 'safe' ? 'safe' : result.status === 'vulnerable' ? `${result.complexity.summary}, e.g. ${result.attack.pattern}` : `not decided (${result.error.kind})`;
        seen.set(id, verdict);
      }
      const allowed = ALLOWED[`${r.where.split(/[: ]/)[0]} ${r.source}`];
      if (verdict !== 'safe' && !allowed) problems.push(`${r.where} /${r.source}/${r.flags}: ${verdict}`);
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
