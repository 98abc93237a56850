// What the exporter keeps between probes stays bounded whatever devices answer and
// however many there are: the landing page's history, and per-origin auth state.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeObserver } from '../../src/probe/pipeline.js';
import { ProbeLog } from '../../src/probe/log.js';
import { History, logChars, MAX_REASON_CHARS } from '../../src/server/history.js';
import { recordIn } from '../../src/server/observers.js';
import { startExporter, type TestExporter } from '../helpers/exporter.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

type Probe = Parameters<ProbeObserver>[0];
type Result = Parameters<ProbeObserver>[1];

/** A failed probe's log as a hostile device makes it: long messages, and values cut from a large document. */
function hostileLog(n: number): ProbeLog {
  // Flat strings of their own, as a parser's or a URL's are (not the cons trees of
  // repeat()): a slice of the document refers to the whole of it.
  const flat = (length: number, fill: string): string => Buffer.alloc(length, fill).toString('latin1');
  const document = flat(1_000_000, `${n}<x>`);
  const log = new ProbeLog();
  log.fail(flat(200_000, `/off-origin/${n}`));
  for (let i = 0; i < 999; i++) log.add('debug', i % 2 ? flat(2_400, `link${n}-${i}/`) : document.slice(i * 3, i * 3 + 40));
  return log;
}

describe('the landing page history', () => {
  it('keeps a bounded copy of each probe: 60 failed probes with huge logs add a few MB, not hundreds', () => {
    const history = new History(50);
    const record = recordIn(history);
    const before = heapUsed();
    for (let n = 0; n < 60; n++) {
      const probe = { runs: [{ module: { name: 'hostile' }, auth: undefined }], target: `127.0.0.1:${n}` } as unknown as Probe;
      const log = hostileLog(n);
      record(probe, { success: false, durationSeconds: 1, log } as unknown as Result);
    }
    const grown = heapUsed() - before;
    // 50 entries of at most logChars(50) = 64 Ki characters of log and a 2 Ki reason:
    // under 10 MB even as two-byte strings. The whole logs were ~2.4 MB each (150 MB).
    expect(grown).toBeLessThan(16 * 1024 * 1024);
    const entries = history.entries();
    expect(entries).toHaveLength(50);
    for (const e of entries) {
      expect(e.log.length).toBeLessThanOrEqual(logChars(50) + 64);
      expect(e.reason!.length).toBeLessThanOrEqual(MAX_REASON_CHARS + 64);
    }
    expect(entries[0]!.log).toMatch(/more entries not shown|log cut at/);
  });

  it('gives each entry a smaller share as the limit grows: the logs together stay bounded', () => {
    for (const limit of [1, 50, 500, 5000]) expect(2 * limit * logChars(limit)).toBeLessThanOrEqual(Math.max(8 * 1024 * 1024, 2 * limit * 4096));
  });
});

describe('the history through the exporter', () => {
  let exporter: TestExporter;
  let device: http.Server;
  let port: number;

  beforeAll(async () => {
    device = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => device.listen(0, '127.0.0.1', r));
    port = (device.address() as AddressInfo).port;
    exporter = await startExporter({ configYaml: 'modules:\n  page: { target: { url: true }, requests: { s: {} }, metrics: [] }\n' });
  });

  afterAll(async () => {
    await exporter.close();
    await new Promise<void>((r) => device.close(() => r()));
  });

  it('serves a bounded /history/N page for a probe with a 12 KB target and reason', async () => {
    const target = `http://127.0.0.1:${port}/${'a'.repeat(12_000)}`;
    const r = await exporter.probe({ module: 'page', target });
    expect(r.text).toMatch(/^probe_success 0$/m);
    const landing = await (await fetch(`${exporter.url}/`)).text();
    const id = /href="\/history\/(\d+)"/.exec(landing)![1]!;
    const page = await (await fetch(`${exporter.url}/history/${id}`)).text();
    expect(page).toContain('unexpected HTTP status 500');
    expect(page).toContain('characters left out');
    // Target, reason and two log lines each held the whole 12 KB before.
    expect(page.length).toBeLessThan(8 * 1024);
    expect(landing.length).toBeLessThan(16 * 1024 + 8 * 1024);
  });
});
