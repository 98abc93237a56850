// An unknown module in a probe request names the modules it is probably a typo of.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, suggestion } from '../../src/probe/suggest.js';
import { startExporter } from '../helpers/exporter.js';

/** The textbook optimal-string-alignment distance, with no cut-off. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

const MODULE = (name: string): string => `  ${name}:\n    requests:\n      status: { path: /status }\n    metrics:\n      - { name: ${name}_up, from: status, value: '$.up' }\n`;

describe('editDistance', () => {
  it('is the optimal-string-alignment distance, or max + 1 past max', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 8 }), fc.integer({ min: 0, max: 9 }), (a, b, max) => {
        const d = reference(a, b);
        expect(editDistance(a, b, max)).toBe(d <= max ? d : max + 1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('suggestion', () => {
  it('names the closest known names, or the few known ones, or nothing', () => {
    expect(suggestion('cofee', ['coffee', 'status', 'redfish'])).toBe(' (did you mean "coffee"?)');
    expect(suggestion('Redfsh', ['redfish', 'redfish_full'])).toBe(' (did you mean "redfish"?)');
    expect(suggestion('ngnix', ['nginx', 'nginx_plus', 'haproxy', 'apache', 'php_fpm', 'consul'])).toBe(' (did you mean "nginx"?)');
    expect(suggestion('shely', ['shelly', 'shelly_gen2', 'shell', 'monit', 'bind', 'tasmota'])).toBe(' (did you mean "shell" or "shelly"?)');
    expect(suggestion('zzz', ['coffee', 'status'])).toBe(' (known: coffee, status)');
    expect(suggestion('nosuch', ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'])).toBe('');
  });

  it('is in the 400 answer to a probe for an unknown module', async () => {
    const exporter = await startExporter({ configYaml: `modules:\n${MODULE('coffee')}${MODULE('status')}` });
    try {
      const r = await exporter.probe({ module: 'cofee', target: '127.0.0.1:9' });
      expect(r.status).toBe(400);
      expect(r.text).toBe('unknown module "cofee" (did you mean "coffee"?)\n');
    } finally {
      await exporter.close();
    }
  });
});
