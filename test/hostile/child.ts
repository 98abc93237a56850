// The exporter as production runs it: a child process with the Kubernetes manifest's
// heap (--max-old-space-size=384), so that running out of memory is a crash the test
// sees (an in-process exporter would take the test runner down with it).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

// Not from ../helpers/exporter.js, which needs vitest's state: the bench scripts use this too.
const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ChildExporter {
  url: string;
  pid: number;
  /** Everything it logged (JSON lines on stderr). */
  log(): string;
  /** Exit code or signal once it has ended; undefined while it runs. */
  exited(): string | undefined;
  /** Resident set size of the process now, in bytes (Linux /proc). */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

export async function startChildExporter(configFile: string, flags: string[] = [], heapMiB = 384, nodeFlags: string[] = []): Promise<ChildExporter> {
  const child: ChildProcess = spawn(
    process.execPath,
    [`--max-old-space-size=${heapMiB}`, ...nodeFlags, '--import', 'tsx', 'src/cli.ts', '--config.file', configFile, '--web.listen-address', '127.0.0.1:0', '--log.format', 'json', ...flags],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  let ended: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = signal ?? String(code);
      resolve();
    });
  });
  child.stderr!.on('data', (c: Buffer) => {
    // Keep the head (the listening line) and the tail (a crash's last words); the middle
    // of a long run is of no use to a failing assertion.
    log += c.toString();
    if (log.length > 200_000) log = log.slice(0, 20_000) + log.slice(-100_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in:\n${log}`)), 20_000);
    const look = (): void => {
      const m = /"address":"127\.0\.0\.1:(\d+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        child.stderr!.off('data', look);
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on('data', look);
    void exit.then(() => reject(new Error(`exporter exited (${ended}) before listening:\n${log}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    log: () => log,
    exited: () => ended,
    async rss() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status);
      return kb ? Number(kb[1]) * 1024 : 0;
    },
    async stop() {
      if (ended !== undefined) return;
      child.kill('SIGKILL');
      await exit;
    },
  };
}
