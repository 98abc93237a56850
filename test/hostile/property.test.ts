// Issue 16: whatever a device answers, the exporter stays alive, answers every probe
// within its deadline + 0.5 s, stays under a stated RSS, and keeps each probe's values
// to that probe. fast-check generates the hostile answers: sizes, nesting, content
// types, link sets and header shapes; two probes run at once, each against its own case,
// each case's answers carrying that probe's own marker value.
import path from 'node:path';
import type http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeries, writeTempFiles } from '../helpers/exporter.js';
import { startChildExporter, type ChildExporter } from './child.js';
import { serve, type Device } from './devices.js';

const MIB = 1024 * 1024;
/** The RSS the exporter must stay under, with --max-old-space-size=384: the heap, buffers in flight and the code. */
const RSS_BOUND = 768 * MIB;
const TIMEOUT_SECONDS = 1.5;

type Shape = 'objects' | 'deep' | 'string' | 'csv' | 'xml' | 'garbage' | 'small';
type Length = 'exact' | 'missing' | 'short' | 'long';

interface Answer {
  shape: Shape;
  bytes: number;
  depth: number;
  contentType: string;
  length: Length;
  /** Extra headers: how many, how long each. */
  headers: [number, number];
}

interface Case {
  root: Answer;
  member: Answer;
  /** Links in the root answer, relative or absolute, hostile or not. */
  links: string[];
  marker: number;
}

const answer = fc.record<Answer>({
  // Weighted towards what costs most: few runs must find the bombs.
  shape: fc.oneof(
    { arbitrary: fc.constantFrom<Shape>('objects', 'csv'), weight: 3 },
    { arbitrary: fc.constantFrom<Shape>('deep', 'string', 'xml', 'garbage', 'small'), weight: 2 },
  ),
  bytes: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 4096 }), weight: 1 }, { arbitrary: fc.integer({ min: MIB, max: 6 * MIB }), weight: 3 }),
  depth: fc.integer({ min: 0, max: 3000 }),
  contentType: fc.constantFrom('application/json', 'text/csv', 'application/xml', 'text/plain', 'text/html; charset=utf-16', '', 'application/json; charset=latin1'),
  length: fc.constantFrom('exact', 'exact', 'missing', 'short', 'long'),
  headers: fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 2000 })),
});

const link = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 50 }).map((i) => `m/${i}`), weight: 4 },
  fc.constantFrom('//169.254.169.254/latest', 'http://127.0.0.2:1/x', '../../../../etc/passwd', '%2e%2e/x', '?q=1', '#frag', 'm/0', 'm/0/', ''),
  fc.string({ maxLength: 40 }),
);

const hostileCase = fc.record<Omit<Case, 'marker'>>({
  root: answer,
  member: answer,
  links: fc.array(link, { maxLength: 60 }),
});

/** The body of an answer, with the probe's marker where the shape has room for it. */
function body(a: Answer, marker: number, links: string[]): Buffer {
  const head = `{"marker":${marker},"links":${JSON.stringify(links)},"fill":`;
  switch (a.shape) {
    case 'objects':
      return Buffer.from(`${head}[${'{},'.repeat(Math.max(0, Math.floor(a.bytes / 3)))}{}]}`);
    case 'deep':
      return Buffer.from(`${head}${'['.repeat(a.depth)}${' '.repeat(a.bytes % 65536)}${']'.repeat(a.depth)}}`);
    case 'string':
      return Buffer.from(`${head}"${'x'.repeat(a.bytes)}"}`);
    case 'csv': {
      const header = Array.from({ length: 1000 }, (_, i) => `c${i}`).join(',') + '\n';
      return Buffer.from(header + (','.repeat(999) + '\n').repeat(Math.floor(a.bytes / 1000)));
    }
    case 'xml':
      return Buffer.from(`<r marker="${marker}">${'<a x="1"/>'.repeat(Math.floor(a.bytes / 10))}</r>`);
    case 'garbage':
      return Buffer.alloc(a.bytes, 0xff);
    case 'small':
      return Buffer.from(`${head}null}`);
  }
}

function send(res: http.ServerResponse, a: Answer, data: Buffer): void {
  const headers: Record<string, string | number> = {};
  if (a.contentType) headers['content-type'] = a.contentType;
  for (let i = 0; i < a.headers[0]; i++) headers[`x-h${i}`] = 'v'.repeat(a.headers[1]);
  if (a.length === 'exact') headers['content-length'] = data.length;
  // A length that lies: the client must cope with a body cut short or one that never comes.
  if (a.length === 'short') headers['content-length'] = Math.max(0, data.length - 10);
  if (a.length === 'long') headers['content-length'] = data.length + 10;
  res.writeHead(200, headers);
  if (a.length === 'short') res.end(data.subarray(0, Math.max(0, data.length - 10)));
  else if (a.length === 'long') res.write(data);
  else res.end(data);
}

let exporter: ChildExporter;
let device: Device;
const cases = new Map<string, Case>();

beforeAll(async () => {
  device = await serve((p, _req, res) => {
    const m = /^\/p\/(\d+)\/(root|m\/.*)$/.exec(p);
    const c = m ? cases.get(m[1]!) : undefined;
    if (!c) return void res.writeHead(404).end();
    if (m![2] === 'root') return send(res, c.root, body(c.root, c.marker, c.links));
    send(res, c.member, body(c.member, c.marker, []));
  });
  const module = (name: string, format: string): string => `
  ${name}:
    timeout: ${TIMEOUT_SECONDS}s
    concurrency: 8
    params: { case: null }
    requests:
      root: { path: '/p/{case}/root'${format} }
      member: { follow: { from: root, path: '$.links[*]' }${format} }
    metrics:
      - { name: prop_marker, from: root, value: '$.marker' }
      - { name: prop_member_marker, from: member, value: '$.marker' }`;
  const dir = await writeTempFiles({ 'apiprobe.yml': `modules:${module('pjson', '')}${module('pauto', ', format: auto')}\n` });
  exporter = await startChildExporter(path.join(dir, 'apiprobe.yml'));
}, 60_000);

afterAll(async () => {
  await exporter?.stop();
  await device?.close();
});

let next = 0;

async function probe(c: Case, module: string): Promise<{ seconds: number; status: number; series: Map<string, number> }> {
  const id = String(next++);
  cases.set(id, c);
  const started = performance.now();
  try {
    const res = await fetch(`${exporter.url}/probe?module=${module}&case=${id}&target=${encodeURIComponent(device.url)}`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    return { seconds: (performance.now() - started) / 1000, status: res.status, series: parseSeries(text) };
  } finally {
    cases.delete(id);
  }
}

describe('hostile answers, generated', () => {
  it('the exporter stays alive, answers in time, stays under the RSS bound, and keeps each probe to its own values', async () => {
    let worstRss = 0;
    await fc.assert(
      fc.asyncProperty(hostileCase, hostileCase, fc.boolean(), async (a, b, auto) => {
        const module = auto ? 'pauto' : 'pjson';
        const [ra, rb] = await Promise.all([probe({ ...a, marker: 1001 }, module), probe({ ...b, marker: 2002 }, module)]);
        expect(exporter.exited()).toBeUndefined();
        for (const [r, marker] of [[ra, 1001], [rb, 2002]] as const) {
          expect(r.seconds).toBeLessThan(TIMEOUT_SECONDS + 0.5);
          if (r.status === 503) continue;
          expect(r.status).toBe(200);
          for (const name of ['prop_marker', 'prop_member_marker']) {
            const v = r.series.get(name);
            if (v !== undefined) expect(v).toBe(marker);
          }
        }
        worstRss = Math.max(worstRss, await exporter.rss());
        expect(worstRss).toBeLessThan(RSS_BOUND);
      }),
      // No shrinking: a case that kills or wedges the exporter leaves nothing to shrink against.
      { numRuns: 12, endOnFailure: true },
    );
    expect((await fetch(`${exporter.url}/-/healthy`)).status).toBe(200);
  }, 120_000);
});
