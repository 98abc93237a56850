// `npm run demo` on a machine where a port it needs is taken: one line saying which and
// why, exit 1, nothing left running; not a stack trace.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/exporter.js';
import { CATALOG } from './catalog/index.js';

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

describe('npm run demo', () => {
  it('says in one line which port is taken, and exits 1', async () => {
    const first = CATALOG[0]!;
    const blocker = net.createServer();
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(first.demoPort, '127.0.0.1', resolve);
    });
    try {
      const r = await runDemo([]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`apiprobe demo: port ${first.demoPort} (simulated device ${first.name}) is in use: is a demo already running? Stop it, or free the ports ${Math.min(...CATALOG.map((c) => c.demoPort))}-${Math.max(...CATALOG.map((c) => c.demoPort))}\n`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
