// CSV with a header row → an array of row objects keyed by column name, through
// csv-parse. HAProxy's stats CSV starts its header with "# ": that prefix is dropped.
import { parse } from 'csv-parse/sync';
import { bodyText, type Parser } from './types.js';

export interface CsvOptions {
  delimiter?: string;
}

export function csvParser(opts: CsvOptions): Parser {
  const delimiter = opts.delimiter ?? ',';
  return (body) => {
    try {
      const rows = parse<Record<string, string>>(bodyText(body), {
        delimiter,
        columns: (header: string[]) => header.map((h, i) => (i === 0 ? h.replace(/^#\s*/, '') : h).trim()),
        skip_empty_lines: true,
        relax_column_count: true,
        trim: true,
      });
      return { ok: true, doc: rows };
    } catch (err) {
      return { ok: false, error: `invalid CSV: ${(err as Error).message}` };
    }
  };
}
