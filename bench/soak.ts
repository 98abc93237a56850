// npm run soak: the exporter at a fixed rate of probes for a long time (issue 7).
//
// Three processes besides this one: the benchmark's upstream (bench/upstream.ts: healthy
// devices on one port of 127.0.1.1–127.0.4.232), the faulty devices (bench/faulty.ts:
// never answer, reset, invalid JSON, one byte a second, on the addresses of the faulty
// targets) and the built exporter (`node dist/cli.js --config.file bench/apiprobe.yml`).
// This process sends probes on a fixed schedule (open loop: a probe starts when it is due,
// whatever the answers of the others), round robin over the targets, through undici with at
// most --max-in-flight probes (and connections) at once; a probe due while that many are in
// flight is not sent and counts as late. Every 10 s it reads the exporter's VmRSS from
// /proc and its event-loop delay from its own /metrics (prom-client's histogram, reset at
// every scrape, so each figure covers the 10 s since the one before).
//
// Fails (exit 1) when RSS grew more than 10% from the first sample after the first minute
// to the last one, when any probe of a healthy target failed (not 200 or not
// probe_success 1), or when the exporter exited.
//
//   npm run soak -- [--rate 500] [--duration 10m] [--targets 1000] [--faulty-share 0.1]
//                   [--max-in-flight 256] [--scrape-timeout 3] [--no-build] [--from-source]
//                   [--json out.json] [--heap-snapshots DIR] [--node-arg=--trace-gc ...]
//
// --heap-snapshots DIR: the exporter writes a heap snapshot (SIGUSR2) at the first sample
// after the first minute and at the last one (each blocks it for seconds: probes fail then).
// --node-arg: a flag for the exporter's node (repeatable), e.g. --node-arg=--trace-gc.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Pool } from 'undici';
import { BENCH_DIR, ROOT, manyAddresses } from './documents.js';
import { buildDist, cpuMs, rssBytes, spawnReporting, startExporter, stop, type Proc } from './procs.js';

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    duration: { type: 'string', default: '10m' },
    targets: { type: 'string', default: '1000' },
    'faulty-share': { type: 'string', default: '0.1' },
    'max-in-flight': { type: 'string', default: '256' },
    'scrape-timeout': { type: 'string', default: '3' },
    'sample-every': { type: 'string', default: '10s' },
    'no-build': { type: 'boolean', default: false },
    'from-source': { type: 'boolean', default: false },
    json: { type: 'string' },
    'heap-snapshots': { type: 'string' },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});

/** "10m", "90s", "1h", "1.5m" or a number of seconds → seconds. */
function seconds(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new Error(`--${flag} ${JSON.stringify(v)}: expected a duration such as 90s, 10m or 1h`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's'];
}
function number(flag: string, v: string, min: number, max = Infinity): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${flag} ${JSON.stringify(v)}: expected a number from ${min} to ${max}`);
  return n;
}

const RATE = number('rate', flags.rate, 0.1);
const DURATION_S = seconds('duration', flags.duration);
const TARGETS = Math.round(number('targets', flags.targets, 1, manyAddresses().length));
const FAULTY_SHARE = number('faulty-share', flags['faulty-share'], 0, 1);
const MAX_IN_FLIGHT = Math.round(number('max-in-flight', flags['max-in-flight'], 1));
const SCRAPE_TIMEOUT_S = number('scrape-timeout', flags['scrape-timeout'], 0.1);
const SAMPLE_S = seconds('sample-every', flags['sample-every']);
/** RSS is compared from the first sample at or after this point. */
const SETTLE_S = 60;
const RSS_GROWTH_LIMIT = 0.1;
/** How long an answer may take before the harness gives up on it (an HTTP error). */
const CLIENT_TIMEOUT_MS = Math.max(10_000, SCRAPE_TIMEOUT_S * 3000);
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------
// Targets: the first TARGETS loopback addresses; a FAULTY_SHARE of them, spread evenly,
// point at the faulty devices instead, the four faults in turn.

const FAULTS = ['hang', 'reset', 'invalid_json', 'trickle'] as const;
type FaultKind = (typeof FAULTS)[number];

interface Target {
  address: string;
  fault: FaultKind | undefined;
  path: string;
}

function chooseTargets(): Array<{ address: string; fault: FaultKind | undefined }> {
  const out: Array<{ address: string; fault: FaultKind | undefined }> = [];
  let faulty = 0;
  for (const [i, address] of manyAddresses().slice(0, TARGETS).entries()) {
    // Target i is faulty when the running count of faulty targets steps up at i.
    const isFaulty = Math.floor((i + 1) * FAULTY_SHARE) > Math.floor(i * FAULTY_SHARE);
    out.push({ address, fault: isFaulty ? FAULTS[faulty++ % FAULTS.length] : undefined });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Counting.

interface Counts {
  sent: number;
  late: number;
  answered: number;
  healthyOk: number;
  healthyFailed: number;
  faultyAnswered: number;
  /** A faulty target that said probe_success 1: the fault went unnoticed. */
  faultySucceeded: number;
  httpErrors: number;
  /** Answers that came after the scrape timeout (Prometheus would have given up on them). */
  overTime: number;
  healthyMs: number[];
  faultyMaxMs: number;
}
const zero = (): Counts => ({ sent: 0, late: 0, answered: 0, healthyOk: 0, healthyFailed: 0, faultyAnswered: 0, faultySucceeded: 0, httpErrors: 0, overTime: 0, healthyMs: [], faultyMaxMs: 0 });

interface Sample {
  t: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** V8's committed heap, and memory outside it (Buffers, ArrayBuffers). */
  heapTotalMiB: number;
  externalMiB: number;
  loopP99Ms: number;
  loopMaxMs: number;
  cpuPercent: number;
  openFds: number;
  inFlight: number;
  /** The harness's own event-loop delay, max over the interval (is the generator keeping up?). */
  harnessLagMs: number;
  counts: Counts;
}

let window = zero();
const total = zero();
const failures: string[] = [];
let inFlight = 0;

function count(field: Exclude<keyof Counts, 'healthyMs' | 'faultyMaxMs'>): void {
  window[field]++;
  total[field]++;
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------------------------------

async function probeOnce(pool: Pool, t: Target): Promise<void> {
  inFlight++;
  count('sent');
  const started = performance.now();
  let status = 0;
  let body = '';
  let error: string | undefined;
  try {
    const res = await pool.request({
      method: 'GET',
      path: t.path,
      headers: { 'x-prometheus-scrape-timeout-seconds': String(SCRAPE_TIMEOUT_S) },
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    status = res.statusCode;
    body = await res.body.text();
  } catch (err) {
    error = (err as Error).message || String(err);
  } finally {
    inFlight--;
  }
  const ms = performance.now() - started;
  if (error === undefined) count('answered');
  if (ms > SCRAPE_TIMEOUT_S * 1000) count('overTime');
  const success = /^probe_success (\S+)$/m.exec(body)?.[1];
  if (status !== 200) count('httpErrors');
  if (!t.fault) {
    window.healthyMs.push(ms);
    if (status === 200 && success === '1') count('healthyOk');
    else {
      count('healthyFailed');
      if (failures.length < 10) failures.push(`${t.path}: ${error ?? `HTTP ${status}, probe_success ${success}`} after ${ms.toFixed(0)} ms: ${body.slice(0, 300).replace(/\n/g, ' | ')}`);
    }
  } else {
    window.faultyMaxMs = Math.max(window.faultyMaxMs, ms);
    total.faultyMaxMs = Math.max(total.faultyMaxMs, ms);
    if (status === 200 && success === '0') count('faultyAnswered');
    else if (status === 200 && success === '1') count('faultySucceeded');
  }
}

/** The exporter's own metrics that matter here, by name (series without labels). */
async function scrape(client: Client): Promise<Map<string, number>> {
  const res = await client.request({ method: 'GET', path: '/metrics', signal: AbortSignal.timeout(10_000) });
  const text = await res.body.text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^([a-z_:][a-z0-9_:]*) (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free), node ${process.version}`;
}
/** The commit measured, and whether src/ differs from it. */
function engine(): string {
  const git = (...args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src');
  return `commit ${head}${dirty ? ` with uncommitted changes in src/ (${dirty.split('\n').length} files)` : ''}`;
}
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const clock = (s: number): string => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

function sampleLine(s: Sample): string {
  const c = s.counts;
  return `t=${clock(s.t).padStart(5)}  rss ${fmt(s.rssMiB)} MiB  heap ${fmt(s.heapUsedMiB)}/${fmt(s.heapTotalMiB)} MiB ext ${fmt(s.externalMiB)} MiB  loop p99 ${fmt(s.loopP99Ms)} ms max ${fmt(s.loopMaxMs)} ms  ` +
    `cpu ${fmt(s.cpuPercent, 0)}%  answers/s ${fmt(c.answered / SAMPLE_S)}  healthy ok ${c.healthyOk} failed ${c.healthyFailed} (p99 ${fmt(percentile(c.healthyMs, 99))} ms)  ` +
    `faulty answered ${c.faultyAnswered}${c.faultySucceeded ? ` SUCCEEDED ${c.faultySucceeded}` : ''} (slowest ${fmt(c.faultyMaxMs, 0)} ms)  late ${c.late}  http errors ${c.httpErrors}  over ${SCRAPE_TIMEOUT_S} s ${c.overTime}  ` +
    `in flight ${s.inFlight}  fds ${fmt(s.openFds, 0)}  harness lag ${fmt(s.harnessLagMs, 0)} ms`;
}

/** One row per minute (the last one may be shorter): RSS at its end, the worst 10 s window's delay, rates and counts. */
function minuteTable(samples: Sample[]): string {
  const groups = new Map<number, Sample[]>();
  for (const s of samples) {
    const m = Math.max(1, Math.ceil(s.t / 60 - 1e-9));
    groups.set(m, [...(groups.get(m) ?? []), s]);
  }
  const head = ['minute', 'RSS MiB (end)', 'RSS min–max MiB', 'heap used MiB (end)', 'loop p99 ms (worst 10 s)', 'loop max ms', 'exporter CPU %', 'probes/s answered', 'healthy ok', 'healthy failed', 'faulty answered', 'late', 'HTTP errors', 'healthy p99 ms'];
  const rows: string[][] = [];
  let prevT = 0;
  for (const [m, ss] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const last = ss[ss.length - 1]!;
    const secs = last.t - prevT;
    prevT = last.t;
    const sum = (f: Exclude<keyof Counts, 'healthyMs' | 'faultyMaxMs'>): number => ss.reduce((a, s) => a + s.counts[f], 0);
    rows.push([
      last.t % 60 === 0 ? String(m) : `${m} (to ${clock(last.t)})`,
      fmt(last.rssMiB), `${fmt(Math.min(...ss.map((s) => s.rssMiB)), 0)}–${fmt(Math.max(...ss.map((s) => s.rssMiB)), 0)}`, fmt(last.heapUsedMiB),
      fmt(Math.max(...ss.map((s) => s.loopP99Ms))), fmt(Math.max(...ss.map((s) => s.loopMaxMs))),
      fmt(ss.reduce((a, s) => a + s.cpuPercent, 0) / ss.length, 0),
      fmt(sum('answered') / secs), String(sum('healthyOk')), String(sum('healthyFailed')), String(sum('faultyAnswered')),
      String(sum('late')), String(sum('httpErrors')), fmt(percentile(ss.flatMap((s) => s.counts.healthyMs), 99)),
    ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const command = `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');
  const loadBefore = load();
  const engineMeasured = `${engine()}, ${flags['from-source'] ? 'src/ through tsx' : flags['no-build'] ? 'dist/ as it was' : 'dist/ built now'}`;
  if (!flags['no-build'] && !flags['from-source']) buildDist();

  const chosen = chooseTargets();
  const faultyAddresses = chosen.filter((t) => t.fault).map((t) => t.address);
  const procs: Proc[] = [];
  let exporter: Proc | undefined;
  let exporterExit: string | undefined;
  let stopping = false;
  const samples: Sample[] = [];
  const harnessLag = monitorEventLoopDelay({ resolution: 10 });
  try {
    const upstream = await spawnReporting(['--import', 'tsx', path.join(BENCH_DIR, 'upstream.ts')]);
    procs.push(upstream);
    const faulty = faultyAddresses.length
      ? await spawnReporting(['--import', 'tsx', path.join(BENCH_DIR, 'faulty.ts'), '--addresses', faultyAddresses.join(',')])
      : undefined;
    if (faulty) procs.push(faulty);
    const nodeArgs = [...flags['node-arg'], ...(flags['heap-snapshots'] ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${path.resolve(flags['heap-snapshots'])}`] : [])];
    exporter = await startExporter({ fromSource: flags['from-source'], nodeArgs });
    procs.push(exporter);
    const exp = exporter;
    exp.child.once('exit', (code, signal) => {
      if (!stopping) exporterExit = `exited with ${signal ?? code}`;
    });

    const targets: Target[] = chosen.map(({ address, fault }) => ({
      address,
      fault,
      path: `/probe?${new URLSearchParams(fault
        ? { module: `soak_${fault}`, target: `${address}:${faulty!.port}` }
        : { module: 'small', target: `${address}:${upstream.port}` }).toString()}`,
    }));
    const origin = `http://127.0.0.1:${exp.port}`;
    const pool = new Pool(origin, { connections: MAX_IN_FLIGHT, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: CLIENT_TIMEOUT_MS, bodyTimeout: CLIENT_TIMEOUT_MS });
    const metricsClient = new Client(origin);

    const faultyCount = targets.filter((t) => t.fault).length;
    process.stderr.write(`soak: ${RATE} probes/s for ${DURATION_S} s over ${TARGETS} targets (${TARGETS - faultyCount} healthy on :${upstream.port}, ` +
      `${faultyCount} faulty on :${faulty?.port ?? '-'}: ${FAULTS.map((f) => `${targets.filter((t) => t.fault === f).length} ${f}`).join(', ')}), ` +
      `at most ${MAX_IN_FLIGHT} in flight, scrape timeout ${SCRAPE_TIMEOUT_S} s; exporter pid ${exp.pid}\n`);

    // The histogram of the exporter's event-loop delay starts with this scrape.
    await scrape(metricsClient);
    harnessLag.enable();
    const t0 = performance.now();
    const planned = Math.floor(RATE * DURATION_S);
    let issued = 0;
    let cpuBefore = cpuMs(exp.pid);
    let cpuAt = t0;
    let snapshotted = false;

    const takeSample = async (): Promise<void> => {
      const now = performance.now();
      const t = Math.round(((now - t0) / 1000) * 10) / 10;
      const counts = window;
      window = zero();
      let m = new Map<string, number>();
      let rss = NaN;
      let cpu = NaN;
      if (!exporterExit) {
        rss = rssBytes(exp.pid);
        cpu = cpuMs(exp.pid);
        try {
          m = await scrape(metricsClient);
        } catch (err) {
          process.stderr.write(`  /metrics did not answer: ${(err as Error).message}\n`);
        }
      }
      const s: Sample = {
        t, rssMiB: rss / MiB,
        heapUsedMiB: (m.get('nodejs_heap_size_used_bytes') ?? NaN) / MiB,
        heapTotalMiB: (m.get('nodejs_heap_size_total_bytes') ?? NaN) / MiB,
        externalMiB: (m.get('nodejs_external_memory_bytes') ?? NaN) / MiB,
        loopP99Ms: (m.get('nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000,
        loopMaxMs: (m.get('nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000,
        cpuPercent: ((cpu - cpuBefore) / (now - cpuAt)) * 100,
        openFds: m.get('process_open_fds') ?? NaN,
        inFlight,
        harnessLagMs: harnessLag.max / 1e6,
        counts,
      };
      harnessLag.reset();
      cpuBefore = cpu;
      cpuAt = now;
      samples.push(s);
      process.stdout.write(`${sampleLine(s)}\n`);
      if (flags['heap-snapshots'] && !exporterExit && ((!snapshotted && t >= SETTLE_S) || t >= DURATION_S - 1e-6)) {
        snapshotted = true;
        exp.child.kill('SIGUSR2');
      }
    };

    // The schedule: probe n is due at n / RATE seconds; every tick starts those due.
    const tickMs = Math.max(1, Math.min(10, 1000 / RATE));
    let sampling: Promise<void> | undefined;
    await new Promise<void>((resolve) => {
      let nextSample = SAMPLE_S;
      const tick = (): void => {
        const elapsed = (performance.now() - t0) / 1000;
        // The last tick may come a hair before the end (the 1 ms tolerance below): it
        // sends whatever the schedule still holds.
        const due = elapsed >= DURATION_S - 1e-3 ? planned : Math.min(planned, Math.floor(elapsed * RATE));
        while (issued < due && !exporterExit) {
          const t = targets[issued % targets.length]!;
          issued++;
          if (inFlight >= MAX_IN_FLIGHT) count('late');
          else void probeOnce(pool, t);
        }
        if (elapsed >= nextSample - 1e-3 && !sampling) {
          nextSample = Math.min(nextSample + SAMPLE_S, DURATION_S);
          sampling = takeSample().finally(() => (sampling = undefined));
          if (elapsed >= DURATION_S - 1e-3 || exporterExit) {
            resolve();
            return;
          }
        } else if (exporterExit) {
          resolve();
          return;
        }
        setTimeout(tick, tickMs);
      };
      if (SAMPLE_S > DURATION_S) nextSample = DURATION_S;
      tick();
    });
    await sampling;
    // The probes still in flight (faulty ones wait for their deadline) are counted in the totals.
    const drainUntil = performance.now() + CLIENT_TIMEOUT_MS + 1000;
    while (inFlight > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
    harnessLag.disable();
    if (flags['heap-snapshots'] && !exporterExit) {
      // The last snapshot is written once the exporter answers again.
      const until = performance.now() + 120_000;
      while (performance.now() < until) {
        try {
          await (await metricsClient.request({ method: 'GET', path: '/-/healthy', signal: AbortSignal.timeout(5000) })).body.text();
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
    await Promise.allSettled([pool.close(), metricsClient.close()]);
  } finally {
    stopping = true;
    for (const p of procs.reverse()) await stop(p);
  }

  // -------------------------------------------------------------------------------------
  const out: string[] = [];
  out.push('', `apiprobe soak: ${RATE} probes/s for ${clock(DURATION_S)} (${DURATION_S} s) over ${TARGETS} targets, ${FAULTY_SHARE * 100}% faulty, ` +
    `at most ${MAX_IN_FLIGHT} in flight, scrape timeout ${SCRAPE_TIMEOUT_S} s, a sample every ${SAMPLE_S} s`);
  out.push(`machine: ${machine()}; load average before ${loadBefore}, after ${load()}`);
  out.push(`engine: ${engineMeasured}`);
  out.push(`command: ${command}`, '', minuteTable(samples), '');
  out.push(`probes: ${Math.floor(RATE * DURATION_S)} planned, ${total.sent} sent, ${total.late} late (not sent because ${MAX_IN_FLIGHT} were in flight), ${total.answered} answered ` +
    `(${fmt(total.answered / DURATION_S)}/s), ${total.overTime} of them after the scrape timeout of ${SCRAPE_TIMEOUT_S} s; healthy ${total.healthyOk} ok, ${total.healthyFailed} failed; faulty ${total.faultyAnswered} answered with probe_success 0` +
    `${total.faultySucceeded ? `, ${total.faultySucceeded} with probe_success 1` : ''}, slowest ${fmt(total.faultyMaxMs, 0)} ms; HTTP errors ${total.httpErrors}`);

  let failed = false;
  const settled = samples.find((s) => s.t >= SETTLE_S - 1e-6);
  const last = samples[samples.length - 1];
  if (settled && last && last !== settled) {
    const growth = last.rssMiB / settled.rssMiB - 1;
    const ok = growth <= RSS_GROWTH_LIMIT;
    failed ||= !ok;
    out.push(`RSS: ${fmt(settled.rssMiB)} MiB at ${clock(settled.t)} (first sample after the first minute), ${fmt(last.rssMiB)} MiB at ${clock(last.t)}: ` +
      `${growth >= 0 ? '+' : ''}${fmt(growth * 100)}%; limit +${RSS_GROWTH_LIMIT * 100}%: ${ok ? 'pass' : 'FAIL'}` +
      `; heap used ${fmt(settled.heapUsedMiB)} → ${fmt(last.heapUsedMiB)} MiB, open fds ${fmt(settled.openFds, 0)} → ${fmt(last.openFds, 0)}`);
  } else {
    out.push(`RSS: not judged (the run ends before a second sample after the first minute); ${samples.map((s) => fmt(s.rssMiB, 0)).join(' → ')} MiB`);
  }
  const healthyOk = total.healthyFailed === 0 && total.healthyOk > 0;
  failed ||= !healthyOk;
  out.push(`healthy targets: ${total.healthyOk} probes ok, ${total.healthyFailed} failed: ${healthyOk ? 'pass' : 'FAIL'}`);
  for (const f of failures) out.push(`  ${f}`);
  if (exporterExit) {
    failed = true;
    out.push(`the exporter ${exporterExit}: FAIL`);
  }
  if (total.late) out.push(`note: ${total.late} probes were not sent on schedule (${MAX_IN_FLIGHT} already in flight): the exporter fell behind the rate`);
  out.push(`soak: ${failed ? 'FAIL' : 'pass'}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (flags.json) {
    writeFileSync(flags.json, JSON.stringify({
      rate: RATE, durationSeconds: DURATION_S, targets: TARGETS, faultyShare: FAULTY_SHARE, machine: machine(), command,
      total: { ...total, healthyMs: undefined }, samples: samples.map((s) => ({ ...s, counts: { ...s.counts, healthyMs: undefined, healthyP99Ms: percentile(s.counts.healthyMs, 99) } })),
    }, null, 2));
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
