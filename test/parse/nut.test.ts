// The nut format: upsd's `VAR <ups> <name> "<value>"` lines → { name: value }.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nutParser } from '../../src/parse/nut.js';
import { nutVariables } from '../sim/tcp/devices.js';

const parse = nutParser();
const run = (text: string): ReturnType<typeof parse> => parse(Buffer.from(text), undefined);

describe('nut format', () => {
  it('reads a LIST VAR answer into one object, BEGIN/END skipped', async () => {
    expect(await run('BEGIN LIST VAR ups\nVAR ups battery.charge "100"\nVAR ups ups.status "OL CHRG"\nEND LIST VAR ups\n')).toEqual({
      ok: true,
      doc: { 'battery.charge': '100', 'ups.status': 'OL CHRG' },
    });
  });

  it('unquotes values as upsd quotes them, CRLF line ends too', async () => {
    expect(await run('VAR ups ups.test.result "said \\"hi\\" \\\\ done"\r\nVAR ups x ""\r\n')).toEqual({ ok: true, doc: { 'ups.test.result': 'said "hi" \\ done', x: '' } });
  });

  it('fails with upsd\'s error word', async () => {
    expect(await run('ERR UNKNOWN-UPS\n')).toEqual({ ok: false, error: 'upsd answered ERR UNKNOWN-UPS' });
    expect(await run('ERR DATA-STALE\n')).toEqual({ ok: false, error: 'upsd answered ERR DATA-STALE' });
  });

  it('fails on an answer with no VAR line, and skips malformed ones', async () => {
    expect(await run('BEGIN LIST VAR ups\nEND LIST VAR ups\n')).toEqual({ ok: false, error: 'no `VAR <ups> <name> "<value>"` lines in the answer' });
    expect(await run('VAR ups\nVAR ups a 1\nVAR ups b "unterminated\nVAR ups c "3"\n')).toEqual({ ok: true, doc: { c: '3' } });
  });

  it('keeps the first of a repeated name', async () => {
    expect(await run('VAR ups a "1"\nVAR ups a "2"\n')).toEqual({ ok: true, doc: { a: '1' } });
  });

  it('reads back every variable of each Home Assistant capture as upsd sends it', async () => {
    for (const file of ['nut/homeassistant-CP1500PFCLCD.json', 'nut/homeassistant-5E650I.json', 'nut/homeassistant-BACKUPSES600M1.json']) {
      const vars = nutVariables(file);
      const wire = vars.map(([k, v]) => `VAR ups ${k} "${v.replace(/[\\"]/g, (c) => `\\${c}`)}"\n`).join('');
      expect(await run(wire)).toEqual({ ok: true, doc: Object.fromEntries(vars) });
    }
  });

  it('round-trips any value upsd can quote (property)', async () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9._-]{0,30}$/);
    const value = fc.string({ maxLength: 60 }).filter((v) => !/[\r\n]/.test(v));
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.tuple(name, value), { selector: ([k]) => k, minLength: 1, maxLength: 20 }), async (vars) => {
      const wire = vars.map(([k, v]) => `VAR ups ${k} "${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join('\n');
      expect(await run(wire)).toEqual({ ok: true, doc: Object.fromEntries(vars) });
    }));
  });
});
