// NUT upsd answers: `VAR <ups> <name> "<value>"` lines (LIST VAR, GET VAR) →
// { "battery.charge": "100", "ups.status": "OL CHRG", … }, so a mapping reads
// $['battery.charge']. Values are unquoted as upsd quotes them (a backslash before `"`
// and `\`). `BEGIN`/`END` lines are skipped; an `ERR …` line fails with upsd's word
// for it (ERR UNKNOWN-UPS, ERR ACCESS-DENIED, ERR DATA-STALE …). One pass over each
// line, no regular expression on device input.
import { bodyText, eachLine, UNLIMITED, type Parser } from './types.js';

/** One `VAR` line's name and value, or undefined when it is not one. */
function readVar(line: string): [string, string] | undefined {
  if (!line.startsWith('VAR ')) return undefined;
  const upsEnd = line.indexOf(' ', 4);
  if (upsEnd < 0) return undefined;
  const nameEnd = line.indexOf(' ', upsEnd + 1);
  if (nameEnd < 0 || line[nameEnd + 1] !== '"') return undefined;
  const name = line.slice(upsEnd + 1, nameEnd);
  let value = '';
  let i = nameEnd + 2;
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') break;
    if (c === '\\' && i + 1 < line.length) {
      value += line[++i]!;
      continue;
    }
    value += c;
  }
  if (i >= line.length || !name) return undefined;
  return [name, value];
}

export function nutParser(): Parser {
  return async (body, _contentType, limits = UNLIMITED) => {
    const doc: Record<string, string> = {};
    let found = 0;
    const stop = await eachLine(bodyText(body), limits, (line) => {
      if (line.startsWith('ERR ') || line === 'ERR') return `upsd answered ${line.slice(0, 100)}`;
      const v = readVar(line);
      if (!v || Object.prototype.hasOwnProperty.call(doc, v[0])) return 0;
      doc[v[0]] = v[1];
      found++;
      return 1;
    });
    if (stop) return { ok: false, error: stop };
    if (found === 0) return { ok: false, error: 'no `VAR <ups> <name> "<value>"` lines in the answer' };
    return { ok: true, doc };
  };
}
