// `Key: value` and `key=value` lines (Apache mod_status?auto, NUT upsc, many
// appliances' status pages) → { Key: "value" }. Lines without a separator are
// skipped; a repeated key keeps its first value.
import { bodyText, breathe, SLICE_CHARS, UNLIMITED, type Parser } from './types.js';

export interface KvOptions {
  /** The separator between key and value; default: the first ':' or '=' on each line. */
  separator?: string;
}

export function kvParser(opts: KvOptions): Parser {
  const sep = opts.separator;
  return async (body, _contentType, limits = UNLIMITED) => {
    const doc: Record<string, string> = {};
    const text = bodyText(body);
    let found = 0;
    let sliceEnd = SLICE_CHARS;
    for (let start = 0; start < text.length; ) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      const raw = text.slice(start, nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl);
      start = nl + 1;
      if (start > sliceEnd && start < text.length) {
        // A line is a value at most: drawn a slice at a time, as the other parsers do.
        const stop = limits.takeValues(found) ?? (await breathe(limits));
        if (stop) return { ok: false, error: stop };
        found = 0;
        sliceEnd = start + SLICE_CHARS;
      }
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
    const stop = limits.takeValues(found + 1);
    if (stop) return { ok: false, error: stop };
    if (Object.keys(doc).length === 0) return { ok: false, error: `no "key${sep ?? ': '}value" lines in the body` };
    return { ok: true, doc };
  };
}
