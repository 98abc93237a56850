// `apiprobe --config.check` as an operator runs it: exit status, stdout, stderr.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';

// Each test starts processes (node, tsx, chromium, promtool): seconds on a quiet machine,
// many more on a loaded one.
const SLOW = { timeout: 90_000 };

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bad = path.join(here, 'bad');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function check(configFile: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', '--config.check', '--config.file', configFile],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('apiprobe --config.check', SLOW, () => {
  it('exits 0 with a one-line summary on stdout for the shipped config', async () => {
    const run = await check('apiprobe.yml');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const config = await loadConfig(path.join(root, 'apiprobe.yml'));
    const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
    expect(run.stdout).toBe(`${config.file}: ${count(config.modules.size, 'module')} from ${count(config.files.length, 'file')}, all valid\n`);
  });

  it('exits 1 with one file:line:column field: message line per problem on stderr', async () => {
    const file = path.join(bad, 'many-problems.yml');
    const run = await check(file);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+ [\\w.\\[\\]-]+: \\S.*$`));
    expect(lines[0]).toBe(`${file}:4:14 modules.a.timeout: "soon" is not a duration (examples: 500ms, 10s, 1m30s)`);
    expect(lines[1]).toBe(`${file}:6:27 modules.a.requests.r.verb: unknown field "verb"`);
    // The same lines the library reports, in the same order.
    const err = await loadConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(lines).toEqual((err as ConfigError).problems.map(formatProblem));
  });

  it('names the included file a problem is in', async () => {
    const run = await check(path.join(bad, 'unknown-field-in-included-file.yml'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`${path.join(bad, 'included-unknown-field/web.yml')}:6:9 modules.web.requests.status.header: unknown field "header"\n`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
