// apiprobe probe: one probe from the command line, against a device or, with --file,
// against saved answers with no network at all (write and test a module offline
// from a colleague's capture).
import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type ConfigFormat, type LoadOptions } from '../config/load.js';
import { Upstream, type Fetcher, type FetchResult, type FetchSpec } from '../fetch/upstream.js';
import { probe } from '../probe/pipeline.js';
import { VERSION } from '../version.js';

export interface ProbeCommand {
  configFile: string;
  configFormat: ConfigFormat;
  module: string;
  target: string | undefined;
  auth: string | undefined;
  /** Module params, name=value. */
  params: string[];
  /** request=file or /path=file. */
  files: string[];
  explain: boolean;
  timeoutSeconds: number | undefined;
}

export interface ProbeCommandResult {
  output: string;
  /** 0: probe_success 1; 1: the probe failed; 2: the command could not run it. */
  exitCode: number;
  /** For stderr: metric definitions that found nothing in the answer (the probe still succeeds). */
  warnings?: string;
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.xml': 'application/xml', '.csv': 'text/csv' };

class UsageError extends Error {}

/** Answers requests from files: by request name, or by the URL path. */
export class OfflineFetcher implements Fetcher {
  private readonly byRequest = new Map<string, string>();
  private readonly byPath = new Map<string, string>();

  constructor(files: readonly string[]) {
    for (const f of files) {
      const i = f.indexOf('=');
      if (i <= 0) throw new UsageError(`--file ${JSON.stringify(f)}: expected request=file or /path=file`);
      const key = f.slice(0, i);
      const file = f.slice(i + 1);
      // A file that cannot be read is the command's mistake, not the device's: say so
      // now, in one line, rather than as a failed probe with the reason in its log.
      try {
        accessSync(file, constants.R_OK);
      } catch (err) {
        throw new UsageError(`--file ${f}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      (key.startsWith('/') ? this.byPath : this.byRequest).set(key, file);
    }
  }

  async fetch(spec: FetchSpec): Promise<FetchResult> {
    const started = performance.now();
    // `/x/` and `/x` are one resource (as the probe counts them): a capture saved as either answers both.
    const p = spec.url.pathname;
    const file = this.byPath.get(p) ?? (p.length > 1 && p.endsWith('/') ? this.byPath.get(p.slice(0, -1)) : undefined) ?? this.byRequest.get(spec.request);
    const base = { headers: {}, seconds: 0, cached: false };
    if (!file) {
      return { ...base, ok: false, status: 0, bytes: 0, body: undefined, contentType: undefined, error: `no --file for request ${spec.request} (${spec.url.pathname}) in offline mode` };
    }
    try {
      const body = await readFile(file);
      const contentType = TYPES[path.extname(file).toLowerCase()] ?? 'text/plain';
      return { ...base, ok: true, status: 200, bytes: body.length, body, contentType, error: undefined, seconds: (performance.now() - started) / 1000 };
    } catch (err) {
      return { ...base, ok: false, status: 0, bytes: 0, body: undefined, contentType: undefined, error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  }
}

// Offline, no name is ever looked up: every target "resolves" to a documentation address.
const noLookup = (() => Promise.resolve([{ address: '192.0.2.1', family: 4 }])) as unknown as NonNullable<LoadOptions['lookup']>;

export async function probeCommand(cmd: ProbeCommand): Promise<ProbeCommandResult> {
  const offline = cmd.files.length > 0;
  const query: Record<string, string> = { module: cmd.module, target: cmd.target ?? (offline ? 'device.offline' : '') };
  if (cmd.auth) query['auth'] = cmd.auth;
  for (const p of cmd.params) {
    const i = p.indexOf('=');
    if (i <= 0) return { output: `--param ${JSON.stringify(p)}: expected name=value\n`, exitCode: 2 };
    query[p.slice(0, i)] = p.slice(i + 1);
  }
  if (cmd.explain) query['debug'] = 'true';
  let fetcher: Fetcher;
  try {
    fetcher = offline ? new OfflineFetcher(cmd.files) : new Upstream({ maxConcurrency: 64, userAgent: `apiprobe/${VERSION}` });
  } catch (err) {
    if (err instanceof UsageError) return { output: `${err.message}\n`, exitCode: 2 };
    throw err;
  }
  const plan = await loadConfig(cmd.configFile, { format: cmd.configFormat, lookup: offline ? noLookup : undefined });
  try {
    const answer = await probe(plan, { query, scrapeTimeout: cmd.timeoutSeconds === undefined ? undefined : String(cmd.timeoutSeconds) }, { fetcher, timeoutOffsetSeconds: 0, maxSeries: 20000 });
    if (answer.kind === 'refused') return { output: `${answer.message}\n`, exitCode: 2 };
    const { result } = answer;
    const output = cmd.explain ? `What the probe did:\n${result.log.text()}\n\nMetrics:\n${result.exposition}` : result.exposition;
    const absent = result.modules.flatMap((m) => m.absent);
    const warnings = absent.length ? absent.map((a) => `warning: ${a} (on_missing: skip makes it optional)\n`).join('') : undefined;
    return { output, exitCode: result.success ? 0 : 1, ...(warnings ? { warnings } : {}) };
  } finally {
    await plan.close();
  }
}
