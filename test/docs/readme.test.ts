// The README as a new user reads it: what it shows is what there is.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/exporter.js';

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const README = read('README.md');
// Moved out of the README with the configuration reference and the module language.
const OPERATING = read('docs/operating.md');
const MODULES = read('docs/modules.md');
const FORMATS = ['auto', 'json', 'kv', 'csv', 'xml', 'regex'];

describe('README.md', () => {
  it('shows no piece of an HTML comment as text', () => {
    // Every --> closes a <!-- opened before it, and every <!-- is closed.
    const opens = [...README.matchAll(/<!--/g)].map((m) => m.index);
    const closes = [...README.matchAll(/-->/g)].map((m) => m.index);
    expect(closes.length).toBe(opens.length);
    opens.forEach((o, i) => expect(o).toBeLessThan(closes[i]!));
  });

  it('names in its command examples only files that are in the repository', () => {
    const commands = OPERATING.split('\n').filter((l) => l.startsWith('apiprobe probe '));
    const files = commands.flatMap((c) => [...c.matchAll(/--file [\w/]+=(\S+)/g)].map((m) => m[1]!));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(existsSync(path.join(ROOT, f)), f).toBe(true);
  });

  it('lists every request format in the requests table', async () => {
    const row = MODULES.split('\n').find((l) => l.startsWith('| `format` |'))!;
    for (const f of FORMATS) expect(row).toContain(`\`${f}\``);
    // …and those are the formats the configuration accepts.
    const { RequestSchema } = await import('../../src/spec/schema.js');
    for (const f of FORMATS) expect(RequestSchema.safeParse({ path: '/', format: f }).success, f).toBe(true);
    expect(RequestSchema.safeParse({ path: '/', format: 'yaml' }).success).toBe(false);
  });

  it('says how to run the exporter under a service manager', () => {
    expect(README).toMatch(/service manager[^]*`node dist\/cli\.js/);
    expect(README).toMatch(/npm does not pass SIGTERM on/);
  });
});
