// promtool, the linter Prometheus ships. A clean lint is exit 0 and no output at all.
import { spawn } from 'node:child_process';
import { requireProgram } from './system.js';

export const promtool = requireProgram('promtool', 'apt-get install -y prometheus');

export interface PromtoolRun {
  code: number | null;
  /** stdout and stderr, in arrival order, split into non-empty lines. */
  lines: string[];
}

export function runPromtool(args: string[], stdin?: string): Promise<PromtoolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtool.path!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: out.split('\n').filter((l) => l.trim() !== '') }));
    // promtool may exit before reading all its input: its exit code and output are the result.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? '');
  });
}

/** `promtool check metrics` on exposition text. */
export const checkMetrics = (text: string): Promise<PromtoolRun> => runPromtool(['check', 'metrics'], text);
