// The target parameter: the device key every spelling of one device shares (its
// concurrency limit is the device's, not the spelling's).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledModule } from '../../src/module/plan.js';
import { resolveTarget } from '../../src/protocols/target.js';

const mod = { name: 'm', scheme: 'http', port: undefined, allowUrl: false } as unknown as CompiledModule;

describe('the device key of a target', () => {
  it('is one per device, whatever the spelling', () => {
    expect(resolveTarget('[::ffff:7f00:1]:80', mod).key).toBe('127.0.0.1:80');
    expect(resolveTarget('[::FFFF:127.0.0.1]', mod).key).toBe('127.0.0.1:80');
    expect(resolveTarget('2130706433', mod).key).toBe('127.0.0.1:80');
    expect(resolveTarget('BMC.example.:443', mod).key).toBe('bmc.example:443');
    expect(resolveTarget('http://bmc.example:80', mod).key).toBe('bmc.example:80');
    expect(resolveTarget('[0:0::1]:8080', mod).key).toBe('[::1]:8080');
  });

  it('property: decimal, hex, short and IPv4-mapped spellings of an address share its key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 1, max: 65535 }), (n, port) => {
        const o = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
        const dotted = o.join('.');
        const hex = (x: number) => x.toString(16);
        const key = resolveTarget(`${dotted}:${port}`, mod).key;
        expect(key).toBe(`${dotted}:${port}`);
        for (const spelling of [String(n >>> 0), `0x${hex(n >>> 0)}`, `${o[0]}.${(n & 0xffffff) >>> 0}`, `[::ffff:${hex(n >>> 16)}:${hex(n & 0xffff)}]`, `${dotted}.`]) {
          expect(resolveTarget(`${spelling}:${port}`, mod).key, spelling).toBe(key);
        }
      }),
      { numRuns: 300 },
    );
  });
});
