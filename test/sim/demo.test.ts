// `npm run demo` on a machine where a port it needs is taken: one line saying which and
// why, exit 1, nothing left running; not a stack trace.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/exporter.js';
import { CATALOG } from './catalog/index.js';
import { TCP_CATALOG } from './catalog/tcp.js';

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/sim/demo.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Takes `port` on loopback, or finds it already taken (a demo running on this machine,
 * or anything else): either way the port is in use when the demo starts. Resolves to a
 * release function, a no-op when someone else holds the port.
 */
function holdPort(port: number): Promise<() => Promise<void>> {
  const blocker = net.createServer();
  return new Promise((resolve, reject) => {
    blocker.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(() => Promise.resolve()) : reject(err)));
    blocker.listen(port, '127.0.0.1', () => resolve(() => new Promise((r) => blocker.close(() => r()))));
  });
}

describe('npm run demo', () => {
  // The demo's ports are fixed (its curl lines and the README name them), so this test
  // needs that very port taken; it does not mind who holds it.
  it('says in one line which port is taken, and exits 1', { timeout: 30_000 }, async () => {
    const first = CATALOG[0]!;
    const release = await holdPort(first.demoPort);
    try {
      const r = await runDemo([]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`apiprobe demo: port ${first.demoPort} (simulated device ${first.name}) is in use: is a demo already running? Stop it, or free the ports ${Math.min(...[...CATALOG, ...TCP_CATALOG].map((c) => c.demoPort))}-${Math.max(...[...CATALOG, ...TCP_CATALOG].map((c) => c.demoPort))}\n`);
    } finally {
      await release();
    }
  });
});
