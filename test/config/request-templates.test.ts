// Request templates a value could escape from, and param constraints that cannot hold,
// are refused at load with the file, line and field.
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { writeTempFiles } from '../helpers/exporter.js';

async function problemsOf(yaml: string): Promise<ConfigProblem[]> {
  const dir = await writeTempFiles({ 'apiprobe.yml': yaml });
  const err: unknown = await loadConfig(`${dir}/apiprobe.yml`).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems.map((p) => ({ ...p, file: p.file.slice(dir.length + 1) }));
}

/** A module with one request (flow YAML on line 3) and the given params. */
const module = (params: string, request: string, extra = ''): string => `modules:
  m:
    params: ${params}
    requests: { r: ${request} }${extra}
`;

describe('request templates refused at load', () => {
  it.each([
    ['a bare placeholder in a JSON body', '{ q: null }', `{ path: /s, method: POST, body: '{"n": {q}}' }`, 'modules.m.requests.r.body', /^\{q\} is outside a JSON string, where no escaping is possible: write "\{q\}"/],
    ['|quote inside a JSON string', '{ q: null }', `{ path: /s, method: POST, body: '{"n": "{q|quote}"}' }`, 'modules.m.requests.r.body', /inside a JSON string already/],
    ['a placeholder completing an escape sequence', '{ q: null }', `{ path: /s, method: POST, body: '{"n": "\\{q}"}' }`, 'modules.m.requests.r.body', /inside an escape sequence/],
    ['a JSON body that is not JSON', '{ q: null }', `{ path: /s, method: POST, body: '{"n": "{q}"' }`, 'modules.m.requests.r.body', /JSON by its first character but does not parse/],
    ['a placeholder in a text body', '{ q: null }', `{ path: /s, method: POST, headers: { content-type: text/plain }, body: 'q={q}' }`, 'modules.m.requests.r.body', /neither JSON nor a form.*cannot be escaped/],
    ['|raw on an unconstrained param', '{ q: null }', `{ path: '/s/{q|raw}' }`, 'modules.m.requests.r.path', /^\{q\|raw\} puts the value in unescaped: give param q an enum or a pattern first$/],
    ['an unknown filter', '{ q: null }', `{ path: '/s/{q|upper}' }`, 'modules.m.requests.r.path', /unknown filter \|upper/],
    ['a path naming another host', '{ q: null }', `{ path: '//{q}/x' }`, 'modules.m.requests.r.path', /names another host/],
    ['a backslash in a path', '{ q: null }', `{ path: '/\\\\{q}/x' }`, 'modules.m.requests.r.path', /may not contain "\\"/],
    ['a placeholder in the fragment', '{ q: null }', `{ path: '/x#{q}' }`, 'modules.m.requests.r.path', /fragment, which is never sent/],
    ['|path in a query', '{ q: null }', `{ path: '/x?a={q|path}' }`, 'modules.m.requests.r.path', /for path segments, not the query/],
    ['|raw in a query value', '{ q: { pattern: "[a-z]+" } }', `{ path: /x, query: { a: '{q|raw}' } }`, 'modules.m.requests.r.query.a', /encoded whole/],
  ])('%s', async (_what, params, request, field, message) => {
    const problems = await problemsOf(module(params, request));
    expect(problems).toEqual([{ file: 'apiprobe.yml', line: 4, column: expect.any(Number) as number, field, message: expect.stringMatching(message) as string }]);
  });

  it('a relative path (target: { url: true }) may not start with a parameter or a scheme', async () => {
    const p = await problemsOf(module('{ q: null }', `{ path: '{q}/x' }`, '\n    target: { url: true }'));
    expect(p.map((x) => [x.field, x.message])).toEqual([['modules.m.requests.r.path', expect.stringMatching(/may not start with a parameter.*write \.\/\{…\}/) as string]]);
    const s = await problemsOf(module('{ q: null }', `{ path: 'http:{q}' }`, '\n    target: { url: true }'));
    expect(s.map((x) => x.message)).toEqual([expect.stringMatching(/"http:" reads as a scheme/) as string]);
  });
});

describe('param constraints refused at load', () => {
  it.each([
    ['a pattern RE2 cannot compile', '{ q: { pattern: "(a" } }', 'modules.m.params.q.pattern', /^not a valid RE2 regular expression: .*missing closing \)/],
    ['a pattern that would backtrack (a backreference)', '{ q: { pattern: "(a)\\\\1" } }', 'modules.m.params.q.pattern', /^not a valid RE2 regular expression/],
    ['a lookahead', '{ q: { pattern: "(?=a)a" } }', 'modules.m.params.q.pattern', /^not a valid RE2 regular expression/],
    ['enum and pattern together', '{ q: { enum: [a], pattern: "a" } }', 'modules.m.params.q.pattern', /^give enum or pattern, not both$/],
    ['a default outside the enum', '{ q: { enum: [a, b], default: c } }', 'modules.m.params.q.default', /^the default "c" is not one of: "a", "b"$/],
    ['a default the pattern does not match', '{ q: { pattern: "[0-9]+", default: x1 } }', 'modules.m.params.q.default', /^the default "x1" does not match the pattern \[0-9\]\+$/],
    ['an unknown constraint', '{ q: { regex: "a" } }', 'modules.m.params.q.regex', /^unknown field "regex"$/],
  ])('%s', async (_what, params, field, message) => {
    const problems = await problemsOf(module(params, '{ path: /x }'));
    expect(problems.map((p) => [p.line, p.field, p.message])).toEqual([[3, field, expect.stringMatching(message) as string]]);
  });
});

describe('accepted', () => {
  it.each([
    ['a placeholder in a JSON string and a quoted one outside', `{ path: /s, method: POST, body: '{"a": "{q}", "b": {q|quote}, "c": "\\n{q}"}' }`],
    ['a form body', `{ path: /s, method: POST, headers: { content-type: application/x-www-form-urlencoded }, body: 'a={q}&b=1' }`],
    ['a path with segments, |path and a query', `{ path: '/a/{q}/{q|path}x?b={q}&c={q|quote}' }`],
    ['json_exporter-style quote in a text body', `{ path: /s, method: POST, headers: { content-type: text/plain }, body: 'q={q|quote}' }`],
  ])('%s', async (_what, request) => {
    const dir = await writeTempFiles({ 'apiprobe.yml': module('{ q: null }', request) });
    await expect(loadConfig(`${dir}/apiprobe.yml`)).resolves.toBeDefined();
  });

  it('|raw with a constraint', async () => {
    const dir = await writeTempFiles({ 'apiprobe.yml': module('{ n: { pattern: "[0-9]{1,6}", default: "10" } }', `{ path: /s, method: POST, body: '{"size": {n|raw}}' }`) });
    await expect(loadConfig(`${dir}/apiprobe.yml`)).resolves.toBeDefined();
  });
});
