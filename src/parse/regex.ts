// A regular expression with named groups over text: one match → an object of the
// groups; `all` → an array of such objects, one per match.
import { bodyText, breathe, SLICE_CHARS, UNLIMITED, type Parser } from './types.js';

export interface RegexOptions {
  pattern: string;
  /** `first` (default): the first match; `all`: every match. */
  match?: 'first' | 'all';
}


export function regexParser(opts: RegexOptions): Parser {
  const all = opts.match === 'all';
  const re = new RegExp(opts.pattern, all ? 'gm' : 'm');
  if (!/\(\?<[A-Za-z_]/.test(opts.pattern)) throw new Error(`pattern has no named group (?<name>…): ${opts.pattern}`);
  return async (body, _contentType, limits = UNLIMITED) => {
    const text = bodyText(body);
    if (!all) {
      const m = re.exec(text);
      if (!m) return { ok: false, error: `pattern /${opts.pattern}/ does not match the body` };
      const stop = limits.takeValues(1 + Object.keys(m.groups ?? {}).length);
      if (stop) return { ok: false, error: stop };
      return { ok: true, doc: { ...m.groups } };
    }
    const rows: Array<Record<string, string | undefined>> = [];
    let next = SLICE_CHARS;
    for (const m of text.matchAll(re)) {
      const stop = limits.takeValues(1 + Object.keys(m.groups ?? {}).length) ?? (m.index > next ? await breathe(limits) : undefined);
      if (stop) return { ok: false, error: stop };
      if (m.index > next) next = m.index + SLICE_CHARS;
      rows.push({ ...m.groups });
    }
    return { ok: true, doc: rows };
  };
}
