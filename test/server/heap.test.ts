// --runtime.heap-growth and --runtime.large-heap (src/runtime/heap.ts), on a real V8 heap.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GrowthPolicy } from '../../src/runtime/heap.js';

const run = promisify(execFile);
const script = path.join(import.meta.dirname, '../helpers/heap-churn.ts');

interface Churn { peakMiB: number; lifted: number }

async function churn(percent: number, largeMiB: number, maxFullGcRate = 0, seconds = 4): Promise<Churn> {
  // The young generation as Node 20 sizes it (Node 22+ sizes it larger): what is measured is the old generation's growth.
  const { stdout } = await run(process.execPath, ['--max-semi-space-size=16', '--import', 'tsx', script, String(percent), String(largeMiB), String(seconds), String(maxFullGcRate)], { timeout: 30_000 });
  return JSON.parse(stdout) as Churn;
}
const peak = async (percent: number, largeMiB: number): Promise<number> => (await churn(percent, largeMiB)).peakMiB;

describe('heap growth', () => {
  it('keeps the committed heap near what is alive while it is small, and leaves a large one to V8', async () => {
    const [v8Default, capped, large] = await Promise.all([peak(0, 128), peak(50, 1024), peak(50, 1)]);
    // V8 alone lets this churn grow the heap several times past what it keeps alive (~100 MB with the ring).
    expect(capped).toBeLessThan(v8Default * 0.7);
    // With a live heap over --runtime.large-heap the cap is lifted: V8's own growth again.
    expect(large).toBeGreaterThan(capped * 1.3);
  }, 40_000);

  it('lifts the cap when it makes full collections come more often than --runtime.max-full-gc-rate', async () => {
    // The same churn, capped: full collections ~4 times a second (11 in 10 s lift it: ~3 s
    // here, later on a busy machine). At most one a second allowed: the heap may grow 4×
    // as far (200%), and does.
    const [capped, lifted] = await Promise.all([churn(50, 1024, 0, 8), churn(50, 1024, 1, 8)]);
    expect(capped.lifted).toBe(0);
    expect(lifted.lifted).toBeGreaterThanOrEqual(1);
    expect(lifted.peakMiB).toBeGreaterThan(capped.peakMiB * 1.3);
  }, 40_000);
});

describe('GrowthPolicy (the decision after each full collection)', () => {
  const MiB = 1024 * 1024;
  const policy = (): GrowthPolicy => new GrowthPolicy({ largeHeapBytes: 128 * MiB, maxFullGcRate: 1 });

  it('keeps the cap while full collections are rare, as under the soak (one every ~10 s)', () => {
    const p = policy();
    for (let t = 0; t <= 600_000; t += 10_000) expect(p.decide(t, 60 * MiB)).toEqual({ capped: true });
  });

  it('lifts it at the 11th full collection within 10 s, holds it a minute, then tries again', () => {
    const p = policy();
    for (let i = 0; i < 10; i++) expect(p.decide(i * 900, 40 * MiB).capped).toBe(true);
    const lifted = p.decide(9_500, 40 * MiB);
    expect(lifted.capped).toBe(false);
    expect(lifted.reason).toMatch(/^1\.1 full collections a second over the last 10 s$/);
    // Rare again (V8's own growth), but within the minute: still V8's.
    expect(p.decide(40_000, 40 * MiB)).toEqual({ capped: false });
    expect(p.decide(69_400, 40 * MiB)).toEqual({ capped: false });
    const again = p.decide(69_600, 40 * MiB);
    expect(again.capped).toBe(true);
    expect(again.reason).toMatch(/live heap 40 MiB/);
  });

  it('leaves a live heap over the threshold to V8 whatever the rate, and caps it again below', () => {
    const p = policy();
    expect(p.decide(0, 129 * MiB)).toEqual({ capped: false, reason: 'live heap 129 MiB over 128 MiB' });
    const below = p.decide(20_000, 128 * MiB);
    expect(below.capped).toBe(true);
    expect(below.reason).toMatch(/^live heap 128 MiB, 0\.1 full collections a second$/);
  });

  it('counts a burst past its memory as the most it remembers, and stays bounded', () => {
    const p = policy();
    for (let i = 0; i < 10_000; i++) p.decide(i / 10, 40 * MiB);
    // 256 remembered in the last 10 s: 25.6 a second.
    expect(p.rate(1_000)).toBeCloseTo(25.6, 5);
    expect(p.capped).toBe(false);
  });

  it('never lifts it for the rate when the rate is Infinity (--runtime.max-full-gc-rate=0)', () => {
    const p = new GrowthPolicy({ largeHeapBytes: 128 * MiB, maxFullGcRate: Infinity });
    for (let i = 0; i < 1_000; i++) expect(p.decide(i * 10, 40 * MiB).capped).toBe(true);
  });
});
