// deploy/apiprobe.service checked by systemd itself: `systemd-analyze verify` reads it
// as systemd would load it (unknown directives, bad values, a missing ExecStart binary
// are all reported), and `systemd-analyze security --offline=true` scores its
// sandboxing without a running systemd. (deploy.test.ts checks its flags and its
// reload, restart and hardening settings.)
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/exporter.js';
import { requireProgram } from '../helpers/system.js';
import { DEPLOY, run } from './helpers.js';

const systemdAnalyze = requireProgram('systemd-analyze', 'apt-get install -y systemd');
const UNIT = path.join(DEPLOY, 'apiprobe.service');
/** systemd's scale: 0 (locked down) … 10 (unprotected); below 2 it calls the unit "OK". */
const MAX_EXPOSURE = 2.0;

describe('systemd-analyze on deploy/apiprobe.service', () => {
  beforeEach((ctx) => systemdAnalyze.skipIfMissing(ctx));

  it('verifies without a word', async () => {
    const r = await run(systemdAnalyze.path!, ['verify', UNIT]);
    expect(r).toEqual({ code: 0, out: '' });
  });

  it(`scores an overall exposure of at most ${MAX_EXPOSURE}`, async () => {
    const r = await run(systemdAnalyze.path!, ['security', '--offline=true', '--no-pager', `--threshold=${MAX_EXPOSURE * 10}`, UNIT]);
    const level = /Overall exposure level for apiprobe\.service: ([\d.]+)/.exec(r.out);
    expect(level, r.out).not.toBeNull();
    expect(Number(level![1])).toBeLessThanOrEqual(MAX_EXPOSURE);
    expect(r.code).toBe(0);
  });

  it('the verification does catch a broken unit', async () => {
    const dir = await tempDir('apiprobe-unit-');
    try {
      const broken = path.join(dir, 'apiprobe.service');
      await writeFile(broken, (await readFile(UNIT, 'utf8')).replace('ProtectSystem=strict', 'ProtectSystem=strict\nProtectSytem=full'));
      const r = await run(systemdAnalyze.path!, ['verify', broken]);
      expect(r.out).toMatch(/Unknown key name 'ProtectSytem'|Unknown key 'ProtectSytem'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
