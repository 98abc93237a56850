// What `npm pack` (and so `npm publish`) ships: the built exporter that `bin` points at,
// the shipped configuration and modules, and nothing of the tests.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/exporter.js';

const exec = promisify(execFile);

describe('npm pack', () => {
  it('builds dist/ first and ships what bin points at, the modules and schemas, and no test files', async () => {
    const { stdout } = await exec('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(files).toContain(path.posix.normalize(pkg.bin['apiprobe']!));
    for (const f of ['apiprobe.yml', 'modules/redfish.yml', 'schema/module.schema.json', 'prometheus.example.yml', 'README.md', 'dist/server/serve.js']) expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.includes('/sim/') || f.includes('demo'))).toEqual([]);
  });
});
