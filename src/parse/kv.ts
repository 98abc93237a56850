// `Key: value` and `key=value` lines (Apache mod_status?auto, NUT upsc, many
// appliances' status pages) → { Key: "value" }. Lines without a separator are
// skipped; a repeated key keeps its first value.
import { bodyText, eachLine, UNLIMITED, type Parser } from './types.js';

export interface KvOptions {
  /** The separator between key and value; default: the first ':' or '=' on each line. */
  separator?: string;
}

export function kvParser(opts: KvOptions): Parser {
  const sep = opts.separator;
  return async (body, _contentType, limits = UNLIMITED) => {
    const doc: Record<string, string> = {};
    // A line is a value at most, and the object one more.
    const stop =
      (await eachLine(bodyText(body), limits, (raw) => {
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
        if (i <= 0) return 0;
        const key = raw.slice(0, i).trim();
        if (!key || Object.prototype.hasOwnProperty.call(doc, key)) return 0;
        doc[key] = raw.slice(i + width).trim();
        return 1;
      })) ?? limits.takeValues(1);
    if (stop) return { ok: false, error: stop };
    if (Object.keys(doc).length === 0) return { ok: false, error: `no "key${sep ?? ': '}value" lines in the body` };
    return { ok: true, doc };
  };
}
