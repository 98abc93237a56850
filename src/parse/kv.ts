// `Key: value` and `key=value` lines (Apache mod_status?auto, NUT upsc, many
// appliances' status pages) → { Key: "value" }. Lines without a separator are
// skipped; a repeated key keeps its first value.
import { bodyText, type Parser } from './types.js';

export interface KvOptions {
  /** The separator between key and value; default: the first ':' or '=' on each line. */
  separator?: string;
}

export function kvParser(opts: KvOptions): Parser {
  const sep = opts.separator;
  return (body) => {
    const doc: Record<string, string> = {};
    let found = 0;
    for (const raw of bodyText(body).split(/\r?\n/)) {
      let i: number;
      let width = 1;
      if (sep !== undefined) {
        i = raw.indexOf(sep);
        width = sep.length;
      } else {
        const colon = raw.indexOf(':');
        const eq = raw.indexOf('=');
        i = colon < 0 ? eq : eq < 0 ? colon : Math.min(colon, eq);
      }
      if (i <= 0) continue;
      const key = raw.slice(0, i).trim();
      if (!key || Object.prototype.hasOwnProperty.call(doc, key)) continue;
      doc[key] = raw.slice(i + width).trim();
      found++;
    }
    if (found === 0) return { ok: false, error: `no "key${sep ?? ': '}value" lines in the body` };
    return { ok: true, doc };
  };
}
