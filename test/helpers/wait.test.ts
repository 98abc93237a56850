// The suite waits on events or with test/helpers/wait.ts (a deadline), never by gating an
// assertion on a fixed sleep or a hand-written polling loop. The few pauses left are the
// scenario itself, listed here with why.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { ROOT } from './exporter.js';
import { eventually } from './wait.js';

const ALLOWED: Record<string, string> = {
  'test/auth/oauth2.test.ts': 'a probe every 150 ms through a real 4 s token lifetime',
  'test/fetch/transport.test.ts': 'a probe after the coalescing window (real time)',
  'test/faults/faults.test.ts': 'healthy probes paced during a fault; a grace before SIGKILL',
  'test/helpers/heap-churn.ts': 'a workload that runs for a given time',
};

// `new Promise((r) => setTimeout(r, 100))`, `while (Date.now() < deadline)`; and `for (;;)`
// when it awaits (a polling loop; one that only walks received bytes is no wait).
const SLEEP = /new Promise\(\(?\w+\)? => setTimeout\(\w+, |while \(Date\.now\(\)|while \(performance\.now\(\)/;
const ENDLESS = /for \(;;\)/;
/** Lines after `for (;;)` looked at for an await: a polling loop's body is short. */
const LOOP_LINES = 12;

describe('waiting in tests', () => {
  it('is done with eventually() or an event: no fixed sleeps or polling loops outside the listed scenarios', () => {
    const offending: string[] = [];
    for (const file of globSync(['test/**/*.ts'], { cwd: ROOT, ignore: ['test/fixtures/**', 'test/helpers/wait.test.ts'] })) {
      if (ALLOWED[file]) continue;
      const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        const polls = ENDLESS.test(line) && lines.slice(i, i + LOOP_LINES).some((l) => /\bawait\b/.test(l));
        if (SLEEP.test(line) || polls) offending.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offending).toEqual([]);
  });

  it('eventually() resolves once the condition holds and names what it waited for when it never does', async () => {
    let n = 0;
    await eventually('n to reach 3', () => ++n >= 3, { interval: 1 });
    expect(n).toBe(3);
    await expect(eventually('something that never happens', () => false, { timeout: 50, interval: 5 })).rejects.toThrow('timed out waiting for something that never happens');
  });
});
