// Starts the exporter in-process on a free loopback port, with a config file
// written for the test (or the shipped apiprobe.yml).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHIPPED_CONFIG = path.join(ROOT, 'apiprobe.yml');

export interface TestExporter extends RunningServer {
  /** Everything the exporter logged, as logfmt lines. */
  logs: string[];
  probe(query: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
}

/**
 * A fresh temporary folder, inside the test run's own (test/helpers/global-setup.ts),
 * which is removed when the run ends.
 */
export function tempDir(prefix = 'apiprobe-test-'): Promise<string> {
  return mkdtemp(path.join(tempRoot(), prefix));
}

/** The test run's temporary folder (the system's outside a vitest run). */
export function tempRoot(): string {
  return inject('tempRoot') ?? tmpdir();
}

/** Writes `files` (name → content) into a fresh temp dir; returns the dir. */
export async function writeTempFiles(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

export async function startExporter(opts: { configFile?: string; configYaml?: string; webConfigFile?: string; timeoutOffsetSeconds?: number; maxSeries?: number; maxConcurrency?: number } = {}): Promise<TestExporter> {
  let configFile = opts.configFile ?? SHIPPED_CONFIG;
  if (opts.configYaml !== undefined) configFile = path.join(await writeTempFiles({ 'apiprobe.yml': opts.configYaml }), 'apiprobe.yml');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const server = await startServer({
    configFile,
    webConfigFile: opts.webConfigFile,
    listenAddress: '127.0.0.1:0',
    timeoutOffsetSeconds: opts.timeoutOffsetSeconds ?? 0.5,
    maxConcurrency: opts.maxConcurrency ?? 512,
    maxSeries: opts.maxSeries ?? 20000,
    historyLimit: 50,
    logger: createLogger('debug', 'logfmt', sink),
  });
  return {
    ...server,
    logs,
    async probe(query, headers = {}) {
      const res = await fetch(`${server.url}/probe?${new URLSearchParams(query).toString()}`, { headers });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
  };
}

/** Parses exposition text into `name{labels}` → value, for exact assertions. */
export function parseSeries(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
