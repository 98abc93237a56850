// The pieces of the translation on their own: Kubernetes JSONPath → apiprobe
// expressions over RFC 9535 JSONPath, the Go template subset of body.templatize,
// and Go's way of printing and parsing values.
import { describe, expect, it } from 'vitest';
import { compileGoTemplate } from '../../src/compat/go-template.js';
import { k8sEachPath, k8sExpression } from '../../src/compat/k8s-jsonpath.js';
import { compileExpr } from '../../src/mapping/expr.js';
import { goFloat, goQuote, goText, parseGoValue } from '../../src/mapping/gotext.js';

describe('Kubernetes JSONPath → apiprobe expressions', () => {
  it.each([
    ['{ .counter }', '$.counter'],
    ['{.counter}', '$.counter'],
    ['{$.counter}', '$.counter'],
    ['{ [*] }', '$[*]'],
    ['{.values[*]}', '$.values[*]'],
    ['{.values[?(@.state == "ACTIVE")]}', '$.values[?@.state == "ACTIVE"]'],
    ["{.values[?(@.state != 'DOWN')].id}", '$.values[?@.state != "DOWN"].id'],
    ['{.values[?(@.count >= 2)]}', '$.values[?@.count >= 2]'],
    ['{.values[?(@.isbn)]}', '$.values[?@.isbn]'],
    ['{.values[?(@.name =~ "^eth")]}', '$.values[?search(@.name, "^eth")]'],
    ['{.a.b[0].c}', '$.a.b[0].c'],
    ['{.a[-1]}', '$.a[-1]'],
    ['{.a[1:3]}', '$.a[1:3]'],
    ['{.a[::2]}', '$.a[::2]'],
    ["{.a['b.c']}", '$.a.b.c'],
    ["{.a['x', 'y']}", '$.a["x","y"]'],
    ['{.a[0,2]}', '$.a[0,2]'],
    ['{..name}', '$..name'],
    ['{.a.*}', '$.a[*]'],
    ['{.my-key.sub}', '$["my-key"].sub'],
    ['{.metadata.annotations.kubernetes\\.io/ingress}', '$.metadata.annotations["kubernetes.io/ingress"]'],
    ['beta', 'beta'],
    ['1', '1'],
    ['planet-{ .location }', 'planet-{$.location}'],
    ['{.a}-{.b}', '{$.a}-{$.b}'],
    ['{.a}{"/"}{.b}', '{$.a}/{$.b}'],
    ['a}b', 'a}}b'],
  ])('%s → %s', (k8s, expected) => {
    const out = k8sExpression(k8s);
    expect(out).toBe(expected);
    // Every translation compiles as an apiprobe expression.
    expect(() => compileExpr(out, new Set())).not.toThrow();
  });

  it.each([
    ['{range .items[*]}{.name}{end}', /range.*not supported/],
    ['{.a', /unclosed action/],
    ['{.a[', /unterminated "\["/],
    ["{.a['b.c', 'd']}", /union of paths/],
    ['{.a[?(@.b[*] == 1)]}', /compares single values/],
    ['{.a[?(@.b === 1)]}', /unrecognized filter operator ===/],
    ['{.a[x]}', /invalid array index \[x\]/],
    ['$5 {.price}', /starting with "\$"/],
    ['{..}', /must be followed/],
    ['{.a & .b}', /unrecognized character "&"/],
  ])('%s is refused naming the construct', (k8s, message) => {
    expect(() => k8sExpression(k8s)).toThrow(message);
  });

  it('an object path is one {…} path', () => {
    expect(k8sEachPath('{ .values[?(@.state == "INACTIVE")] }')).toBe('$.values[?@.state == "INACTIVE"]');
    expect(k8sEachPath('{$}')).toBe('$');
    expect(() => k8sEachPath('.values')).toThrow(/one \{…\} JSONPath/);
  });
});

describe('Go templates of body.templatize', () => {
  it('compile field access, first, index, default and quote into parameters', () => {
    expect(compileGoTemplate('{"a": {{ .a | first | quote }}, "b": "{{ index .b 0 }}", "c": "{{ .c | first | default "x" }}", "d": "{{ default "y" (first .d) }}", "e": "{{ .e }}"}')).toEqual({
      template: '{"a": {a|quote}, "b": "{b}", "c": "{c}", "d": "{d}", "e": "[{e}]"}',
      params: { a: null, b: null, c: 'x', d: 'y', e: '' },
    });
    expect(compileGoTemplate('{{- /* a comment */ -}}\n  {{ index . "site" | first }} {{ "text" | quote }}')).toEqual({ template: '{site} "text"', params: { site: null } });
  });

  it.each([
    ['{{ .a | first | upper }}', /function "upper" is not supported.*first, index, default, quote/],
    ['{{ printf "%s" .a }}', /function "printf" is not supported/],
    ['{{ if .a }}x{{ end }}', /\{\{ if \}\} is not supported/],
    ['{{ range .a }}x{{ end }}', /\{\{ range \}\} is not supported/],
    ['{{ $x := .a }}', /template variable/],
    ['{{ index .a 1 }}', /index is supported as/],
    ['{{ . }}', /prints every query parameter/],
    ['{{ .a', /unclosed action/],
    ['{"x": {y}}', /would read as an apiprobe parameter placeholder/],
    ['{{ .a | first | default "x" }}{{ .a | first | default "y" }}', /two defaults/],
  ])('%s is refused', (src, message) => {
    expect(() => compileGoTemplate(src)).toThrow(message);
  });
});

describe('Go text', () => {
  it('prints floats as fmt %v does', () => {
    expect([0, 7, -3, 1.5, 123456, 999999, 1e6, 1234567, 1757568506, 0.0001, 0.00001, 1e21, 2.5e-7].map(goFloat)).toEqual([
      '0', '7', '-3', '1.5', '123456', '999999', '1e+06', '1.234567e+06', '1.757568506e+09', '0.0001', '1e-05', '1e+21', '2.5e-07',
    ]);
  });

  it('prints null, booleans, objects and lists as json_exporter\'s JSONPath does', () => {
    expect(goText(null)).toBe('<nil>');
    expect(goText(true)).toBe('true');
    expect(goText({ b: 1, a: ['<x>'] })).toBe('{"a":["\\u003cx\\u003e"],"b":1}');
  });

  it('parses as strconv.ParseFloat then ParseBool', () => {
    expect(['12', '-1.5e3', '.5', '0x1p-2', 'Inf', '-infinity', 'true', 'T', '0', 'False'].map(parseGoValue)).toEqual([12, -1500, 0.5, 0.25, Infinity, -Infinity, 1, 1, 0, 0]);
    expect(parseGoValue('<nil>')).toBeNaN();
    expect(parseGoValue('NaN')).toBeNaN();
    for (const bad of ['', ' 1', '1e400', 'yes', '1,5', 'n/a']) expect(parseGoValue(bad)).toBeUndefined();
  });

  it('quotes as %q', () => {
    expect(goQuote('hq "north"\\\n\t\u0001é')).toBe('"hq \\"north\\"\\\\\\n\\t\\x01é"');
  });
});
