import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { writeTempFiles } from '../helpers/exporter.js';

describe('shared fragments', () => {
  it('accepts x- keys for anchors and YAML merge keys in mappings', async () => {
    const dir = await writeTempFiles({
      'apiprobe.yml': `
x-health: &health { type: stateset, states: [OK, Warning, Critical], help: Health }
modules:
  m:
    requests: { s: { path: /s } }
    metrics:
      - { <<: *health, name: a_health, from: s, value: '$.a' }
      - { <<: *health, name: b_health, from: s, value: '$.b', help: Health of b }
`,
    });
    const config = await loadConfig(`${dir}/apiprobe.yml`);
    expect(config.modules.get('m')!.metrics.map((m) => [m.name, m.type, m.states, m.help])).toEqual([
      ['a_health', 'stateset', ['OK', 'Warning', 'Critical'], 'Health'],
      ['b_health', 'stateset', ['OK', 'Warning', 'Critical'], 'Health of b'],
    ]);
  });

  it('still refuses other unknown top-level keys', async () => {
    const dir = await writeTempFiles({ 'apiprobe.yml': 'common: 1\nmodules: {}\n' });
    await expect(loadConfig(`${dir}/apiprobe.yml`)).rejects.toThrow(ConfigError);
    await expect(loadConfig(`${dir}/apiprobe.yml`)).rejects.toThrow(/:1:1 common: unknown field "common"/);
  });
});
