// The probe pipeline through its fetch seam: no HTTP, no sockets. A fake Fetcher
// answers from a table and records what was asked, so each stage (resolve, gather
// with fan-outs, request samples, mapping, exposition, observers) is seen on its own.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/probe/generation.js';
import type { Fetcher, FetchResult, FetchSpec } from '../../src/fetch/upstream.js';
import { probe, type ProbeDeps, type ProbeObserver } from '../../src/probe/pipeline.js';
import { parseSeries, writeTempFiles } from '../helpers/exporter.js';

const CONFIG = `
modules:
  tree:
    requests:
      root: { path: /root }
      item:
        follow: { from: root, path: '$.items[*]', vars: { site: '$.site' } }
      missing:
        follow: { from: root, path: '$.nothing[*]' }
        optional: true
    metrics:
      - { name: dev_items, from: root, value: '$.items', convert: length }
      - { name: dev_item_value, from: item, labels: { id: '$.id', site: '{site}' }, value: '$.v' }
  flat:
    timeout: 1s
    requests:
      a: { path: /a }
      b: { path: /b }
    metrics:
      - { name: dev_a, from: a, value: '$.a' }
      - { name: dev_b, from: b, value: '$.b' }
  shapes:
    requests:
      listing: { path: /listing }
      owner: { path: /owner }
      part:
        follow:
          - { from: listing, path: '$.members[*]', vars: { via: '$.kind' } }
          - { from: owner, path: '$.parts[*]', when: '@.kind != "retired"' }
        min_links: 2
      detail:
        follow: { from: part, path: '$.detail', when: '!@.modern || $.via == "collection"' }
    metrics:
      - { name: dev_part_celsius, from: part, when: '@.type == "temperature" || (!@.type && @.units == "Cel")', labels: { part: '$.id', via: '{via}' }, value: '$.reading' }
      - { name: dev_detail, from: detail, labels: { part: '$.id' }, value: '$.v' }
`;

type Answer = { status?: number; body: unknown } | 'hang';

class TableFetcher implements Fetcher {
  readonly asked: FetchSpec[] = [];
  constructor(private readonly table: Record<string, Answer>) {}

  fetch(spec: FetchSpec): Promise<FetchResult> {
    this.asked.push(spec);
    const answer = this.table[spec.url.pathname];
    if (answer === 'hang') {
      // Settles only when the probe's deadline aborts it, as undici does.
      return new Promise((resolve) => spec.signal.once('abort', () => resolve(failure('deadline exceeded'))));
    }
    if (!answer) return Promise.resolve({ ...failure('ECONNREFUSED'), status: 0 });
    const body = Buffer.from(JSON.stringify(answer.body));
    return Promise.resolve({ ok: true, status: answer.status ?? 200, bytes: body.length, body, contentType: 'application/json', headers: {}, error: undefined, seconds: 0.001, cached: false });
  }
}

function failure(error: string): FetchResult {
  return { ok: false, status: 0, bytes: 0, body: undefined, contentType: undefined, headers: {}, error, seconds: 0, cached: false };
}

const lookup = (() => Promise.resolve([{ address: '192.0.2.1', family: 4 }])) as unknown as NonNullable<Parameters<typeof loadConfig>[1]>['lookup'];

let plan: Config | undefined;
afterEach(async () => {
  await plan?.close();
  plan = undefined;
});

async function load(): Promise<Config> {
  const dir = await writeTempFiles({ 'apiprobe.yml': CONFIG });
  plan = await loadConfig(path.join(dir, 'apiprobe.yml'), { lookup });
  return plan;
}

function deps(fetcher: Fetcher, observers: ProbeObserver[] = []): ProbeDeps {
  return { fetcher, timeoutOffsetSeconds: 0.5, maxSeries: 1000, observers };
}

describe('probe pipeline', () => {
  it('refuses a bad request before fetching anything, and tells no observer', async () => {
    const fetcher = new TableFetcher({});
    const seen: unknown[] = [];
    const answer = await probe(await load(), { query: { module: 'nope', target: 'dev.test' } }, deps(fetcher, [(p) => seen.push(p)]));
    expect(answer).toEqual({ kind: 'refused', message: 'unknown module "nope" (known: flat, shapes, tree)' });
    expect(fetcher.asked).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('fetches fan-outs from their source, maps every document and writes request and probe samples', async () => {
    const fetcher = new TableFetcher({
      '/root': { body: { site: 'hq', items: ['/i/1', '/i/2', '/i/1'] } },
      '/i/1': { body: { id: 'one', v: 1.5 } },
      '/i/2': { body: { id: 'two', v: 2 } },
    });
    const observed: Array<[string, boolean]> = [];
    const answer = await probe(await load(), { query: { module: 'tree', target: 'dev.test:8080' } }, deps(fetcher, [(p, r) => observed.push([p.target, r.success])]));
    if (answer.kind !== 'probed') throw new Error(answer.message);
    // A link found twice is fetched once; the follow that found nothing fetches nothing.
    expect(fetcher.asked.map((s) => s.url.href)).toEqual(['http://dev.test:8080/root', 'http://dev.test:8080/i/1', 'http://dev.test:8080/i/2']);
    expect(fetcher.asked.every((s) => s.targetKey === 'dev.test:8080')).toBe(true);
    const series = parseSeries(answer.result.exposition);
    expect(series.get('dev_items')).toBe(3);
    expect(series.get('dev_item_value{id="one",site="hq"}')).toBe(1.5);
    expect(series.get('dev_item_value{id="two",site="hq"}')).toBe(2);
    expect(series.get('probe_request_fetches{request="item"}')).toBe(2);
    expect(series.get('probe_request_fetches{request="missing"}')).toBe(0);
    expect(series.get('probe_request_success{request="missing"}')).toBe(1);
    expect(series.get('probe_http_status_code{request="root"}')).toBe(200);
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_timeout_seconds')).toBe(10);
    expect(observed).toEqual([['dev.test:8080', true]]);
    // The follow that matched nothing is said, so that a module author sees the miss.
    expect(answer.result.log.text()).toMatch(/missing: \$\.nothing\[\*\] matched nothing in GET \/root \(0 links\)/);
  });

  it('says how many links each follow found when traced (debug=true, --explain)', async () => {
    const fetcher = new TableFetcher({ '/root': { body: { site: 'hq', items: ['/i/1'] } }, '/i/1': { body: { id: 'one', v: 1 } } });
    const answer = await probe(await load(), { query: { module: 'tree', target: 'dev.test', debug: 'true' } }, deps(fetcher));
    if (answer.kind !== 'probed') throw new Error(answer.message);
    expect(answer.result.log.text()).toMatch(/item: \$\.items\[\*\] matched 1 link in GET \/root/);
  });

  it('ends at the deadline with what arrived: the hanging request fails, its signal is aborted', async () => {
    const fetcher = new TableFetcher({ '/a': { body: { a: 1 } }, '/b': 'hang' });
    const started = performance.now();
    const answer = await probe(await load(), { query: { module: 'flat', target: 'dev.test' }, scrapeTimeout: '0.8' }, deps(fetcher));
    if (answer.kind !== 'probed') throw new Error(answer.message);
    const elapsed = performance.now() - started;
    // 0.8 s less the 0.5 s offset: 0.3 s, under the module's 1 s.
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(900);
    const series = parseSeries(answer.result.exposition);
    expect(series.get('dev_a')).toBe(1);
    expect(series.has('dev_b')).toBe(false);
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="b"}')).toBe(0);
    expect(series.get('probe_timeout_seconds')).toBeCloseTo(0.3, 5);
    expect(answer.result.log.reason).toBe('b: GET /b: deadline of 0.3s exceeded');
    expect(fetcher.asked.find((s) => s.url.pathname === '/b')!.signal.aborted).toBe(true);
  });

  it('prefixes request labels with the module when several are probed together, and fails the probe when one fails', async () => {
    const fetcher = new TableFetcher({ '/a': { body: { a: 1 } }, '/b': { status: 500, body: {} }, '/root': { body: { items: [] } } });
    const answer = await probe(await load(), { query: { module: 'flat,tree', target: 'dev.test' } }, deps(fetcher));
    if (answer.kind !== 'probed') throw new Error(answer.message);
    const series = parseSeries(answer.result.exposition);
    expect(series.get('probe_request_success{request="flat/b"}')).toBe(0);
    expect(series.get('probe_http_status_code{request="flat/b"}')).toBe(500);
    expect(series.get('probe_request_success{request="tree/root"}')).toBe(1);
    expect(answer.result.modules).toEqual([{ name: 'flat', success: false, absent: [], insecureCredentials: false }, { name: 'tree', success: true, absent: [], insecureCredentials: false }]);
    expect(series.get('probe_success')).toBe(0);
  });

  it('writes OpenMetrics when the client asks for it, and plain text for debug output', async () => {
    const fetcher = new TableFetcher({ '/a': { body: { a: 1 } }, '/b': { body: { b: 2 } } });
    const om = await probe(await load(), { query: { module: 'flat', target: 'dev.test' }, accept: 'application/openmetrics-text; version=1.0.0' }, deps(fetcher));
    if (om.kind !== 'probed') throw new Error(om.message);
    expect(om.result.format).toBe('openmetrics');
    expect(om.result.exposition.endsWith('# EOF\n')).toBe(true);
    const debug = await probe(plan!, { query: { module: 'flat', target: 'dev.test', debug: 'true' }, accept: 'application/openmetrics-text' }, deps(fetcher));
    if (debug.kind !== 'probed') throw new Error(debug.message);
    expect(debug.result.format).toBe('text');
  });

  it('follows links from several sources, fetching a resource found twice once (with or without a trailing slash)', async () => {
    const fetcher = new TableFetcher({
      '/listing': { body: { kind: 'collection', members: ['/p/1', '/p/2/'] } },
      '/owner': { body: { kind: 'owner', parts: ['/p/2', '/p/3'] } },
      '/p/1': { body: { id: 'one', type: 'temperature', reading: 30, detail: '/d/1' } },
      '/p/2/': { body: { id: 'two', units: 'Cel', reading: 31, modern: true, detail: '/d/2' } },
      '/p/3': { body: { id: 'three', type: 'voltage', reading: 12, modern: true, detail: '/d/3' } },
      '/d/1': { body: { id: 'one', v: 1 } },
      '/d/2': { body: { id: 'two', v: 2 } },
      '/d/3': { body: { id: 'three', v: 3 } },
    });
    const answer = await probe(await load(), { query: { module: 'shapes', target: 'dev.test' } }, deps(fetcher));
    if (answer.kind !== 'probed') throw new Error(answer.message);
    const parts = fetcher.asked.filter((a) => a.url.pathname.startsWith('/p/')).map((a) => a.url.pathname);
    expect(parts.sort()).toEqual(['/p/1', '/p/2/', '/p/3']);
    const series = parseSeries(answer.result.exposition);
    // `when` on a metric: a temperature by its type, or by its units when it has no type.
    expect(series.get('dev_part_celsius{part="one",via="collection"}')).toBe(30);
    expect(series.get('dev_part_celsius{part="two",via="collection"}')).toBe(31);
    expect([...series.keys()].filter((k) => k.startsWith('dev_part_celsius'))).toHaveLength(2);
    // `when` on a follow, with the source document as @ and variables as $: /p/3 came from
    // the owner (no `via`) and is modern, so its detail is not fetched.
    expect(fetcher.asked.some((a) => a.url.pathname === '/d/3')).toBe(false);
    expect(series.get('dev_detail{part="one"}')).toBe(1);
    expect(series.get('dev_detail{part="two"}')).toBe(2);
    expect(series.get('probe_request_fetches{request="part"}')).toBe(3);
    expect(series.get('probe_success')).toBe(1);
  });

  it('fails a fan-out whose answered sources hold fewer links than min_links, naming the sources', async () => {
    const fetcher = new TableFetcher({
      '/listing': { body: { kind: 'collection', members: [] } },
      '/owner': { body: { parts: ['/p/3'] } },
      '/p/3': { body: { id: 'three', type: 'voltage', reading: 12 } },
    });
    const answer = await probe(await load(), { query: { module: 'shapes', target: 'dev.test' } }, deps(fetcher));
    if (answer.kind !== 'probed') throw new Error(answer.message);
    const series = parseSeries(answer.result.exposition);
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="part"}')).toBe(0);
    expect(answer.result.log.reason).toBe('part: 1 link found ($.members[*] in listing, $.parts[*] in owner); at least 2 expected');
  });

  it('does not blame min_links when a source failed: the source\'s failure is the reason', async () => {
    const fetcher = new TableFetcher({ '/owner': { body: { parts: [] } } });
    const answer = await probe(await load(), { query: { module: 'shapes', target: 'dev.test' } }, deps(fetcher));
    if (answer.kind !== 'probed') throw new Error(answer.message);
    expect(answer.result.log.reason).toBe('listing: GET /listing: ECONNREFUSED');
    expect(answer.result.log.text()).not.toMatch(/at least 2 expected/);
  });
});

