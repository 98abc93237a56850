// Shared by the tests of deploy/: running programs, reading the Dockerfile, the CLI's
// flags, PromQL metric names, and the metric names the exporter really exposes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startExporter } from '../helpers/exporter.js';
import { probeCatalogDevice } from '../helpers/modules.js';

export const DEPLOY = path.join(ROOT, 'deploy');

export interface Run {
  code: number | null;
  /** stdout and stderr together, in arrival order. */
  out: string;
}

export function run(bin: string, args: string[], opts: { cwd?: string; stdin?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    // A program that exits without reading its input (a --help, a refusal) closes the pipe:
    // its exit code and output are the result, not an EPIPE thrown into the test run.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
  });
}

// --- Dockerfile -------------------------------------------------------------------

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined; comment lines dropped (as Docker does). */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    if (/^\s*#/.test(raw)) return;
    if (buf === '' && raw.trim() === '') return;
    if (buf === '') start = i + 1;
    if (/\\\s*$/.test(raw)) {
      buf += raw.replace(/\\\s*$/, ' ');
      return;
    }
    buf += raw;
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(buf);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot read ${JSON.stringify(buf)}`);
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buf = '';
  });
  if (buf !== '') throw new Error('Dockerfile ends inside a continued line');
  return out;
}

export function stages(instructions: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot read FROM ${ins.args}`);
      out.push({ image: m[1]!, name: m[2], instructions: [] });
    } else if (out.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
    } else {
      out.at(-1)!.instructions.push(ins);
    }
  }
  return out;
}

/** The JSON (exec) form of CMD, ENTRYPOINT, HEALTHCHECK … CMD; undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not a JSON list of strings: ${args}`);
  return parsed;
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
  /** The stage's WORKDIR when the COPY runs. */
  workdir: string;
}

/** COPY instructions of a stage, with their flags read and the WORKDIR they run in. */
export function copies(stage: Stage): Copy[] {
  const out: Copy[] = [];
  let workdir = '/';
  for (const ins of stage.instructions) {
    if (ins.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, ins.args);
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    let rest = ins.args;
    let from: string | undefined;
    for (let m = /^--([\w-]+)(?:=(\S+))?\s+/.exec(rest); m; m = /^--([\w-]+)(?:=(\S+))?\s+/.exec(rest)) {
      if (m[1] === 'from') from = m[2];
      rest = rest.slice(m[0].length);
    }
    const parts = execForm(rest) ?? rest.split(/\s+/);
    out.push({ from, sources: parts.slice(0, -1), dest: parts.at(-1)!, workdir });
  }
  return out;
}

export function workdirOf(stage: Stage): string {
  let workdir = '/';
  for (const ins of stage.instructions) if (ins.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, ins.args);
  return workdir;
}

/** .dockerignore patterns as regular expressions on slash-separated relative paths. */
export function dockerignore(text: string): RegExp[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => {
      if (p.startsWith('!')) throw new Error('exceptions (!) in the dockerignore are not understood by this test');
      const body = p
        .replace(/^\/+|\/+$/g, '')
        .split('')
        .map((c) => (/[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c))
        .join('')
        .replace(/\*\*/g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        // eslint-disable-next-line no-control-regex -- NUL stands in for `**` above: it cannot occur in a glob
        .replace(/\u0000/g, '.*');
      return new RegExp(`^${body}$`);
    });
}

/** Whether `rel` (or a directory it is in) is excluded by the patterns. */
export function ignored(patterns: RegExp[], rel: string): boolean {
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (patterns.some((p) => p.test(prefix))) return true;
  }
  return false;
}

// --- The CLI ----------------------------------------------------------------------

/** The long flags src/cli.ts defines (read from its source: dist/ may not be built). */
export function cliFlags(): Set<string> {
  const text = readFileSync(path.join(ROOT, 'src/cli.ts'), 'utf8');
  return new Set([...text.matchAll(/(?:\.option\(|new Option\()\s*'(--[\w.-]+)/g)].map((m) => m[1]!));
}

/** `--flag=value` or `--flag value` arguments as flag → value (the last one wins, as in commander). */
export function flagValues(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(0, eq), a.slice(eq + 1));
    else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) out.set(a, args[++i]!);
    else out.set(a, '');
  }
  return out;
}

// --- PromQL -----------------------------------------------------------------------

const NOT_METRICS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'Inf', 'NaN']);

/**
 * The metric names a PromQL expression selects. Strings, label matchers, ranges and
 * label lists are removed first; what is left that is not a function call, a keyword
 * or a number is a metric name.
 */
export function metricNames(expr: string): Set<string> {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/(\d[\w.]*)|([a-zA-Z_:][\w:]*)/g)) {
    const word = m[2];
    if (!word || NOT_METRICS.has(word)) continue;
    if (s.slice(m.index + word.length).trimStart().startsWith('(')) continue;
    names.add(word);
  }
  return names;
}

/** Grafana's variables replaced by values that keep the expression valid PromQL. */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(?:rate_interval|interval|range)\b/g, '5m').replace(/\$\{\w+(?::\w+)?\}|\$\w+/g, 'x');
}

/** PromQL expressions as recording rules: `promtool check rules` on it parses them all. */
export function recordingRules(exprs: string[]): { groups: { name: string; rules: { record: string; expr: string }[] }[] } {
  return { groups: [{ name: 'parse', rules: exprs.map((expr, i) => ({ record: `parse:expr_${i}`, expr })) }] };
}

// --- What the exporter exposes -----------------------------------------------------

/** Names in exposition text: sample names, and names TYPE declares (with their suffixes). */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\w+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
      if (kind === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
      if (kind === 'counter' && !name.endsWith('_total')) names.add(`${name}_total`);
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][\w:]*)/.exec(line);
    if (sample) names.add(sample[1]!);
  }
  return names;
}

/**
 * Every metric name the exporter serves: its own /metrics after a probe (so the
 * per-module histogram has samples), and a /probe answer from a simulated Redfish
 * device (probe_* and the device's series), through the shipped configuration.
 */
export async function exporterMetricNames(): Promise<{ metrics: Set<string>; probe: Set<string> }> {
  const exporter = await startExporter();
  try {
    const probe = await probeCatalogDevice(exporter, 'dmtf-rackmount');
    if (probe.series.get('probe_success') !== 1) throw new Error(`the probe of the simulated device failed:\n${probe.text}`);
    const res = await fetch(`${exporter.url}/metrics`);
    return { metrics: exposedNames(await res.text()), probe: exposedNames(probe.text) };
  } finally {
    await exporter.close();
  }
}
