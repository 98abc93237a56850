// Body → document. Every format becomes a plain JSON-like tree so that one mapping
// language (JSONPath) works for all of them. Parsers are compiled once at config
// load from the request's `format`; they return a value or the parser's message and
// never throw.
import { csvParser, type CsvOptions } from './csv.js';
import { jsonParser } from './json.js';
import { kvParser, type KvOptions } from './kv.js';
import { nutParser } from './nut.js';
import { regexParser, type RegexOptions } from './regex.js';
import { xmlParser, type XmlOptions } from './xml.js';

import type { Parser } from './types.js';

export type { ParseLimits, Parsed, Parser } from './types.js';

export type FormatSpec =
  | { type: 'auto' }
  | { type: 'json' }
  | { type: 'nut' }
  | ({ type: 'kv' } & KvOptions)
  | ({ type: 'regex' } & RegexOptions)
  | ({ type: 'csv' } & CsvOptions)
  | ({ type: 'xml' } & XmlOptions);

export class FormatError extends Error {}

/** Compiles a format; throws FormatError for options that cannot work (a bad regex). */
export function compileParser(spec: FormatSpec): Parser {
  switch (spec.type) {
    case 'json':
      return jsonParser();
    case 'kv':
      return kvParser(spec);
    case 'regex':
      return regexParser(spec);
    case 'csv':
      return csvParser(spec);
    case 'xml':
      return xmlParser(spec);
    case 'auto':
      return autoParser();
    case 'nut':
      return nutParser();
  }
}

// `format: auto`, the module's opt-in (without a format a request is read as JSON): the
// content type decides, XML types as XML, CSV as CSV, everything else as JSON (devices
// often label JSON text/plain or text/html).
function autoParser(): Parser {
  const json = jsonParser();
  const xml = xmlParser({});
  const csv = csvParser({});
  return (body, contentType, limits) => {
    const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (type.endsWith('/xml') || type.endsWith('+xml')) return xml(body, contentType, limits);
    if (type === 'text/csv') return csv(body, contentType, limits);
    return json(body, contentType, limits);
  };
}

