// Processes and /proc readings shared by the benchmark (run.ts) and the soak (soak.ts):
// building dist/, starting the upstream, the exporter or a floor as child processes,
// stopping them, and reading their CPU time and RSS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BENCH_DIR, ROOT } from './documents.js';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export interface Proc {
  child: ChildProcess;
  pid: number;
  port: number;
  profileDir?: string;
}

/** `npm run build` (tsc → dist/); throws when it fails. */
export function buildDist(): void {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

/** Spawns a node process that prints {"port":N} as its first line of output. */
export async function spawnReporting(args: string[]): Promise<Proc> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before listening`)));
  });
  child.stdout.resume();
  return { child, pid: child.pid!, port: (JSON.parse(line) as { port: number }).port };
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface ExporterOptions {
  /** Directory for `node --cpu-prof`'s profile; none: no profile. */
  profileDir?: string | undefined;
  /** More flags for node itself (before the script), e.g. --heapsnapshot-signal=SIGUSR2. */
  nodeArgs?: string[];
  /** Run src/cli.ts through tsx instead of the built dist/cli.js (no build needed). */
  fromSource?: boolean;
  /** More flags for the exporter (after the script), e.g. --runtime.heap-growth=0. */
  exporterArgs?: string[];
  /** Default bench/apiprobe.yml. */
  configFile?: string;
}

/** The exporter on a free port of 127.0.0.1, once /-/ready answers 200. */
export async function startExporter(opts: ExporterOptions = {}): Promise<Proc> {
  const port = await freePort();
  const { profileDir } = opts;
  const entry = opts.fromSource ? ['--import', 'tsx', path.join(ROOT, 'src/cli.ts')] : [path.join(ROOT, 'dist/cli.js')];
  const child = spawn(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(opts.nodeArgs ?? []), ...entry,
      '--config.file', opts.configFile ?? path.join(BENCH_DIR, 'apiprobe.yml'), '--web.listen-address', `127.0.0.1:${port}`, '--log.level', 'error', ...(opts.exporterArgs ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  const started = Date.now();
  for (;;) {
    if (exited) throw new Error('the exporter exited at start');
    if (Date.now() - started > 30_000) throw new Error('the exporter did not become ready in 30 s');
    try {
      if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, pid: child.pid!, port, ...(profileDir ? { profileDir } : {}) };
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
export async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** CPU time the process has used (utime + stime, every thread), in ms. */
export function cpuMs(pid: number): number {
  const { user, kernel } = cpuSplitMs(pid);
  return user + kernel;
}

/** The same, split: user time and kernel (system call) time, in ms. */
export function cpuSplitMs(pid: number): { user: number; kernel: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / CLK_TCK, kernel: (Number(fields[12]) * 1000) / CLK_TCK };
}

/** VmRSS from /proc/<pid>/status, in bytes. */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
