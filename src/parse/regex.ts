// A regular expression with named groups over text: one match → an object of the
// groups; `all` → an array of such objects, one per match.
import { bodyText, type Parser } from './types.js';

export interface RegexOptions {
  pattern: string;
  /** `first` (default): the first match; `all`: every match. */
  match?: 'first' | 'all';
}


export function regexParser(opts: RegexOptions): Parser {
  const all = opts.match === 'all';
  const re = new RegExp(opts.pattern, all ? 'gm' : 'm');
  if (!/\(\?<[A-Za-z_]/.test(opts.pattern)) throw new Error(`pattern has no named group (?<name>…): ${opts.pattern}`);
  return (body) => {
    const text = bodyText(body);
    if (!all) {
      const m = re.exec(text);
      if (!m) return { ok: false, error: `pattern /${opts.pattern}/ does not match the body` };
      return { ok: true, doc: { ...m.groups } };
    }
    const rows: Array<Record<string, string | undefined>> = [];
    for (const m of text.matchAll(re)) rows.push({ ...m.groups });
    return { ok: true, doc: rows };
  };
}
