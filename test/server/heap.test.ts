// --runtime.heap-growth and --runtime.large-heap (src/runtime/heap.ts), on a real V8 heap.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = path.join(import.meta.dirname, '../helpers/heap-churn.ts');

async function peak(percent: number, largeMiB: number): Promise<number> {
  // The young generation as Node 20 sizes it (Node 22+ sizes it larger): what is measured is the old generation's growth.
  const { stdout } = await run(process.execPath, ['--max-semi-space-size=16', '--import', 'tsx', script, String(percent), String(largeMiB), '4'], { timeout: 30_000 });
  return (JSON.parse(stdout) as { peakMiB: number }).peakMiB;
}

describe('heap growth', () => {
  it('keeps the committed heap near what is alive while it is small, and leaves a large one to V8', async () => {
    const [v8Default, capped, large] = await Promise.all([peak(0, 128), peak(50, 1024), peak(50, 1)]);
    // V8 alone lets this churn grow the heap several times past what it keeps alive (~100 MB with the ring).
    expect(capped).toBeLessThan(v8Default * 0.7);
    // With a live heap over --runtime.large-heap the cap is lifted: V8's own growth again.
    expect(large).toBeGreaterThan(capped * 1.3);
  }, 40_000);
});
