// A quick run of the soak harness (bench/soak.ts, `npm run soak`) so that it keeps working:
// 10 s at 50 probes/s over 20 targets, 4 of them faulty (one of each fault), the exporter
// run from src/ (no build). The harness must count every probe, see no healthy probe fail,
// see every faulty one answered with probe_success 0, and exit 0. ~14 s.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, writeTempFiles } from '../helpers/exporter.js';

interface Report {
  total: { sent: number; late: number; answered: number; healthyOk: number; healthyFailed: number; faultyAnswered: number; faultySucceeded: number; httpErrors: number };
  samples: Array<{ t: number; rssMiB: number; loopP99Ms: number }>;
}

it('npm run soak, 10 s at 50 probes/s: every probe counted, no healthy probe failed, exit 0', async () => {
  const json = path.join(await writeTempFiles({}), 'soak.json');
  const args = ['--duration', '10s', '--rate', '50', '--targets', '20', '--faulty-share', '0.2', '--scrape-timeout', '1.5', '--from-source', '--json', json];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/soak.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

  expect(code, output).toBe(0);
  expect(output).toMatch(/^soak: pass$/m);
  const report = JSON.parse(await readFile(json, 'utf8')) as Report;
  const t = report.total;
  expect(t.healthyFailed, output).toBe(0);
  expect(t.sent + t.late).toBe(500);
  expect(t.late).toBe(0);
  expect(t.answered).toBe(t.sent);
  expect(t.healthyOk).toBe(400);
  expect(t.faultyAnswered, 'every probe of a faulty device answered with probe_success 0').toBe(100);
  expect(t.faultySucceeded).toBe(0);
  expect(t.httpErrors).toBe(0);
  expect(report.samples.length).toBeGreaterThan(0);
  expect(report.samples[0]!.rssMiB).toBeGreaterThan(0);
  expect(report.samples[0]!.loopP99Ms).toBeGreaterThan(0);
}, 45_000);
