// Tests that need a program from the system (prometheus, promtool). On a developer
// machine without it they skip and say how to install it; in CI (CI=true) a missing
// program is a broken environment, and the test file fails instead of passing green
// with nothing tested.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'vitest';

export interface RequiredProgram {
  name: string;
  /** Absolute path of the executable found on PATH; undefined when missing. */
  path: string | undefined;
  /** Why tests needing the program are skipped, with the install command; undefined when found. */
  skipReason: string | undefined;
  /**
   * Skips the running test with `skipReason` when the program is missing, so the
   * reporter shows `↓ test name [<reason>]`. Call it from `beforeEach` or a test.
   */
  skipIfMissing(ctx: TestContext): void;
}

export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v === 'true' || v === '1';
}

/** The executable `name` would run as, searching PATH like a shell does. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: keep looking
    }
  }
  return undefined;
}

/**
 * Looks `name` up on PATH at collection time. Missing: throws under CI=true (the
 * file fails with the install command), otherwise returns a skip reason.
 *
 *   const prometheus = requireProgram('prometheus', 'apt-get install -y prometheus');
 *   describe('…', () => {
 *     beforeAll(async () => { if (!prometheus.path) return; … });
 *     beforeEach((ctx) => prometheus.skipIfMissing(ctx));
 *   });
 */
export function requireProgram(name: string, installHint: string): RequiredProgram {
  const found = findOnPath(name);
  const missing = `${name} is not on PATH; install it with: ${installHint}`;
  if (!found && isCI()) throw new Error(`${missing} (CI=true: a missing program fails the tests that need it instead of skipping them)`);
  const skipReason = found ? undefined : missing;
  return {
    name,
    path: found,
    skipReason,
    skipIfMissing(ctx) {
      if (skipReason !== undefined) ctx.skip(skipReason);
    },
  };
}
