// CSV with a header row → an array of row objects keyed by column name, through
// csv-parse. HAProxy's stats CSV starts its header with "# ": that prefix is dropped.
// The body is written to csv-parse's stream a slice at a time, the event loop served
// between two: a row is as many values as the header has columns, drawn from the
// probe's budget as each row is made (a header of thousands of columns and rows of
// empty fields cost millions of values in a few megabytes).
import { StringDecoder } from 'node:string_decoder';
import { Parser as CsvStream } from 'csv-parse';
import { breathe, UNLIMITED, type Parser } from './types.js';

/**
 * Characters written to csv-parse between two turns of the event loop: it builds a row
 * object key by key, ~1 µs a field, so a slice of empty fields is a few ms.
 */
const CSV_SLICE = 4 * 1024;
/**
 * The longest line: a row is built whole before its values can be counted, so its
 * length bounds what one row costs (64 Ki empty fields, ~60 ms) before the budget can
 * refuse it. Status CSVs have lines of a few hundred characters (HAProxy's: ~500).
 */
const MAX_LINE = 64 * 1024;

export interface CsvOptions {
  delimiter?: string;
}

export function csvParser(opts: CsvOptions): Parser {
  const delimiter = opts.delimiter ?? ',';
  return async (body, _contentType, limits = UNLIMITED) => {
    // Decoded a slice at a time (a character split between two slices is kept for the
    // next): a 16 MiB body never becomes one 16 MiB string, which would cost a full
    // garbage collection of its own.
    const decoder = new StringDecoder('utf8');
    const from = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    const rows: Array<Record<string, string>> = [];
    let width = 0;
    let stopped: string | undefined;
    const stream = new CsvStream({
      delimiter,
      columns: (header: string[]) => {
        width = header.length;
        stopped ??= limits.takeValues(width + 1);
        return header.map((h, i) => (i === 0 ? h.replace(/^#\s*/, '') : h).trim());
      },
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      max_record_size: MAX_LINE,
      // Rows are kept here, not passed down the stream: nothing reads its other end.
      // With columns, a record is an object (the typings know only arrays).
      on_record: (record: unknown) => {
        if (stopped === undefined) stopped = limits.takeValues(width + 1);
        if (stopped === undefined) rows.push(record as Record<string, string>);
        return null;
      },
    });
    let failed: Error | undefined;
    stream.on('error', (err: Error) => (failed ??= err));
    const ended = new Promise<void>((resolve) => {
      stream.once('finish', resolve);
      stream.once('error', () => resolve());
      stream.once('close', resolve);
    });
    for (let i = from; i < body.length && stopped === undefined && failed === undefined; i += CSV_SLICE) {
      const text = decoder.write(body.subarray(i, i + CSV_SLICE));
      if (text) stream.write(text);
      if (i + CSV_SLICE < body.length) stopped ??= await breathe(limits);
    }
    const rest = decoder.end();
    if (rest && stopped === undefined && failed === undefined) stream.write(rest);
    if (stopped !== undefined) {
      stream.destroy();
      return { ok: false, error: stopped };
    }
    stream.end();
    await ended;
    if (failed) return { ok: false, error: `invalid CSV: ${failed.message}` };
    if (stopped !== undefined) return { ok: false, error: stopped };
    return { ok: true, doc: rows };
  };
}
