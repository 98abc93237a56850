// Body → document. One function per format; every parser returns a value or the
// parser's own message, never throws.
import type { RequestSpec } from '../config/schema.js';

export type Format = RequestSpec['format'];

export type Parsed = { ok: true; doc: unknown } | { ok: false; error: string };

export function parseBody(format: Format, body: Buffer): Parsed {
  switch (format) {
    case 'json':
      return parseJson(body);
  }
}

export function parseJson(body: Buffer): Parsed {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, doc: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
  }
}
