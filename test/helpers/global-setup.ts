// One temporary folder for the whole test run, removed when it ends: every test's
// temporary files go under it (tempDir in exporter.ts), so a run leaves nothing behind
// in /tmp. Test files learn where it is through vitest's provide/inject.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    tempRoot: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(path.join(tmpdir(), 'apiprobe-test-run-'));
  project.provide('tempRoot', root);
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
