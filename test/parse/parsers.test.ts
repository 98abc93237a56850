// Every parser on the real payloads it exists for, and on malformed input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileParser, type FormatSpec } from '../../src/parse/index.js';
import { FIXTURES } from '../sim/devices.js';

const fixture = (p: string): Buffer => readFileSync(path.join(FIXTURES, p));
const parse = (spec: FormatSpec, body: Buffer | string, contentType?: string) =>
  compileParser(spec)(typeof body === 'string' ? Buffer.from(body) : body, contentType);

async function doc(spec: FormatSpec, body: Buffer | string, contentType?: string): Promise<unknown> {
  const r = await parse(spec, body, contentType);
  if (!r.ok) throw new Error(r.error);
  return r.doc;
}

describe('json', () => {
  it('parses, ignoring a byte-order mark', async () => {
    expect(await doc({ type: 'json' }, '\ufeff{"a":[1,true,null]}')).toEqual({ a: [1, true, null] });
  });
  it('reports invalid JSON with the parser message', async () => {
    const r = await parse({ type: 'json' }, '{"a": tru');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^invalid JSON: /);
  });
});

describe('kv', () => {
  it('reads Apache mod_status?auto lines, skipping the bare first line', async () => {
    const d = await doc({ type: 'kv' }, fixture('apache-mod_status/beats-status_apache-2.4.18-Debian.txt')) as Record<string, string>;
    expect(d['ServerUptimeSeconds']).toBe('1026782');
    expect(d['ServerMPM']).toBe('event');
    // The value keeps its own colons.
    expect(d['Server Built']).toBe('Mar  2 2016 21:08:47');
    expect(d['apache']).toBeUndefined();
  });
  it('reads NUT upsc output with dotted keys', async () => {
    const d = await doc({ type: 'kv' }, fixture('nut-upsc/telegraf-CyberPowerSystems_CP900EPFCLCD-variables.dev')) as Record<string, string>;
    expect(d['battery.charge']).toBe('100');
    expect(d['battery.voltage']).toBe('24.0');
  });
  it('splits key=value lines and honours an explicit separator', async () => {
    expect(await doc({ type: 'kv' }, 'a=1\nb = two\n')).toEqual({ a: '1', b: 'two' });
    expect(await doc({ type: 'kv', separator: ' -> ' }, 'x -> 1:2\n')).toEqual({ x: '1:2' });
  });
  it('keeps the first of repeated keys', async () => {
    expect(await doc({ type: 'kv' }, 'a: 1\na: 2\n')).toEqual({ a: '1' });
  });
  it('fails on a body with no key/value line', async () => {
    const r = await parse({ type: 'kv' }, '<html>nothing here</html>');
    expect(r).toEqual({ ok: false, error: 'no "key: value" lines in the body' });
  });
});

describe('regex', () => {
  const NGINX = String.raw`Active connections:\s+(?<active>\d+)\s+server accepts handled requests\s+(?<accepts>\d+)\s+(?<handled>\d+)\s+(?<requests>\d+)\s+Reading:\s+(?<reading>\d+)\s+Writing:\s+(?<writing>\d+)\s+Waiting:\s+(?<waiting>\d+)`;
  it('reads nginx stub_status with named groups', async () => {
    expect(await doc({ type: 'regex', pattern: NGINX }, fixture('nginx/nginx-docs-stub_status-example.txt'))).toEqual({
      active: '291', accepts: '16630948', handled: '16630948', requests: '31070465', reading: '6', writing: '179', waiting: '106',
    });
  });
  it('returns every match with match: all', async () => {
    expect(await doc({ type: 'regex', pattern: '^(?<k>\\w+)=(?<v>\\d+)$', match: 'all' }, 'a=1\nnoise\nb=2\n')).toEqual([
      { k: 'a', v: '1' },
      { k: 'b', v: '2' },
    ]);
  });
  it('fails when the pattern does not match', async () => {
    const r = await parse({ type: 'regex', pattern: NGINX }, 'Service Unavailable');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/does not match the body/);
  });
  it('refuses a pattern without named groups at compile time', () => {
    expect(() => compileParser({ type: 'regex', pattern: '(\\d+)' })).toThrow(/no named group/);
  });
});

describe('csv', () => {
  it('reads HAProxy stats CSV with its "# pxname" header and leading empty line', async () => {
    const rows = await doc({ type: 'csv' }, fixture('haproxy/telegraf-sample_output.csv')) as Array<Record<string, string>>;
    expect(rows).toHaveLength(13);
    expect(rows[0]!['pxname']).toBe('http-in');
    expect(rows[0]!['svname']).toBe('FRONTEND');
    expect(rows[0]!['stot']).toBe('2639994');
    expect(rows[0]!['status']).toBe('OPEN');
  });
  it('honours another delimiter', async () => {
    expect(await doc({ type: 'csv', delimiter: ';' }, 'a;b\n1;2\n')).toEqual([{ a: '1', b: '2' }]);
  });
  it('reports an unterminated quote', async () => {
    const r = await parse({ type: 'csv' }, 'a,b\n"1,2\n');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^invalid CSV: /);
  });
});

describe('xml', () => {
  it('reads Monit status: elements as objects, text as strings', async () => {
    const d = await doc({ type: 'xml', arrays: ['service'] }, fixture('monit/telegraf-response_servicetype_0.xml')) as {
      monit: { server: { uptime: string; httpd: { port: string } }; service: Array<{ type: string; name: string }> };
    };
    expect(d.monit.server.uptime).toBe('109878');
    expect(d.monit.server.httpd.port).toBe('2822');
    expect(Array.isArray(d.monit.service)).toBe(true);
    expect(d.monit.service[0]!.type).toBe('0');
  });
  it('reads BIND statistics v3: attributes as fields, text under #text', async () => {
    const d = await doc({ type: 'xml' }, fixture('bind-statistics/telegraf-xml-v3-server.xml')) as {
      statistics: { version: string; server: { counters: Array<{ type: string; counter: Array<{ name: string; '#text': string }> }> } };
    };
    expect(d.statistics.version).toBe('3.6');
    const opcode = d.statistics.server.counters.find((c) => c.type === 'opcode')!;
    expect(opcode.counter.find((c) => c.name === 'QUERY')!['#text']).toBe('74941');
  });
  it('reports malformed XML with its position', async () => {
    const r = await parse({ type: 'xml' }, '<a><b></a>');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^invalid XML: .*\(line 1, column \d+\)$/);
  });
});

describe('auto', () => {
  it('chooses by content type and falls back to JSON', async () => {
    expect(await doc({ type: 'auto' }, '<r><v>1</v></r>', 'application/xml; charset=utf-8')).toEqual({ r: { v: '1' } });
    expect(await doc({ type: 'auto' }, 'a,b\n1,2\n', 'text/csv')).toEqual([{ a: '1', b: '2' }]);
    expect(await doc({ type: 'auto' }, '{"x":1}', 'text/plain')).toEqual({ x: 1 });
    const r = await parse({ type: 'auto' }, '<html></html>', 'text/html');
    expect(r.ok).toBe(false);
  });
});

describe('json limits', () => {
  it('refuses nesting deeper than 1000 levels, counting only brackets outside strings', async () => {
    const deep = '['.repeat(1001) + ']'.repeat(1001);
    expect(await parse({ type: 'json' }, deep)).toEqual({ ok: false, error: 'JSON nested deeper than 1000 levels' });
    const ok = '['.repeat(1000) + ']'.repeat(1000);
    expect((await parse({ type: 'json' }, ok)).ok).toBe(true);
    const inStrings = JSON.stringify({ s: '['.repeat(5000) });
    expect((await parse({ type: 'json' }, inStrings)).ok).toBe(true);
    const escaped = JSON.stringify({ s: '\\"' + '{'.repeat(3000) });
    expect((await parse({ type: 'json' }, escaped)).ok).toBe(true);
  });
});

describe('xml in a worker', () => {
  const big = `<?xml version="1.0"?><stats>${Array.from({ length: 3000 }, (_, i) => `<counter name="c${i}" type="x">${i}</counter>`).join('')}<view name="v"><one>1</one></view></stats>`;

  it('reads a large body (past 64 KiB) as the parser in place reads a small one', async () => {
    expect(big.length).toBeGreaterThan(64 * 1024);
    const spec: FormatSpec = { type: 'xml', arrays: ['view'] };
    const d = (await doc(spec, big)) as { stats: { counter: Array<Record<string, string>>; view: unknown[] } };
    expect(d.stats.counter).toHaveLength(3000);
    expect(d.stats.counter[7]).toEqual({ name: 'c7', type: 'x', '#text': '7' });
    expect(d.stats.view).toEqual([{ name: 'v', one: '1' }]);
    // The same document small enough to be parsed in place gives the same shape.
    const small = (await doc(spec, big.replace(/<counter name="c(\d{2,})"[^>]*>\d+<\/counter>/g, ''))) as typeof d;
    expect(small.stats.counter[7]).toEqual(d.stats.counter[7]);
    expect(small.stats.view).toEqual(d.stats.view);
  });

  it('reports invalid XML with the validator\'s message, and stops at the deadline', async () => {
    const r = await parse({ type: 'xml' }, big.replace('</stats>', ''));
    expect(!r.ok && r.error).toMatch(/^invalid XML: /);
    const late = await compileParser({ type: 'xml' })(Buffer.from(big.repeat(20)), undefined, { takeValues: () => undefined, due: performance.now() + 5 });
    expect(late).toEqual({ ok: false, error: 'deadline exceeded while parsing' });
    // A fresh worker takes the next body.
    expect((await parse({ type: 'xml' }, big)).ok).toBe(true);
  });
});
