// --web.workers: several processes share the socket; /metrics counts every worker's
// probes and a reload reaches every worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, ROOT, writeTempFiles } from '../helpers/exporter.js';
import { eventually } from '../helpers/wait.js';

// Each test starts processes (node, tsx, chromium, promtool): seconds on a quiet machine,
// many more on a loaded one.
const SLOW = { timeout: 90_000 };

const moduleYaml = (name: string): string => `  ${name}: { requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }\n`;

let device: RunningDevice;
let child: ChildProcess;
let base: string;
let file: string;
let log = '';

beforeAll(async () => {
  device = await startDevice({
    name: 'w',
    routes: {
      '/status': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"up":1}');
      },
    },
  });
  const dir = await writeTempFiles({ 'apiprobe.yml': `modules:\n${moduleYaml('a')}` });
  file = path.join(dir, 'apiprobe.yml');
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--config.file', file, '--web.listen-address', '127.0.0.1:0', '--web.workers', '2', '--log.format', 'json'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  await eventually(() => `the workers to start:\n${log}`, () => (log.match(/"msg":"listening"/g) ?? []).length >= 2, { timeout: 20_000 });
  base = `http://${/"address":"([^"]+)"/.exec(log)![1]}`;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await device?.close();
});

describe('--web.workers 2', SLOW, () => {
  it('starts two workers on one address', () => {
    const listening = log.split('\n').filter((l) => l.includes('"msg":"listening"')).map((l) => JSON.parse(l) as { address: string; pid: number });
    expect(listening).toHaveLength(2);
    expect(new Set(listening.map((l) => l.address)).size).toBe(1);
    expect(new Set(listening.map((l) => l.pid)).size).toBe(2);
    expect(listening.map((l) => l.pid)).not.toContain(child.pid);
  });

  it('counts the probes of every worker on /metrics, whichever worker answers', async () => {
    for (let i = 0; i < 20; i++) expect((await fetch(`${base}/probe?module=a&target=${device.address}`)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const s = parseSeries(await (await fetch(`${base}/metrics`)).text());
      expect(s.get('apiprobe_probes_total{module="a",result="success"}')).toBe(20);
      expect(s.get('apiprobe_build_info{version="0.1.0",nodeversion="' + process.version + '"}')).toBe(1);
    }
  });

  it('reloads every worker on POST /-/reload', async () => {
    await writeFile(file, `modules:\n${moduleYaml('a')}${moduleYaml('b')}`);
    const res = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await fetch(`${base}/probe?module=b&target=${device.address}`)).status).toBe(200);
  });

  it('reloads every worker on SIGHUP to the primary, and stops them all on SIGTERM', async () => {
    await writeFile(file, `modules:\n${moduleYaml('c')}`);
    child.kill('SIGHUP');
    await eventually(() => `every worker to reload:\n${log}`, () => (log.match(/"msg":"configuration reloaded"/g) ?? []).length >= 4);
    for (let i = 0; i < 10; i++) expect((await fetch(`${base}/probe?module=c&target=${device.address}`)).status).toBe(200);
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
  });
});
