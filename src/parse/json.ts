import { bodyText, type Parser } from './types.js';

/** Documents nested deeper than this are refused: nothing real comes close. */
export const MAX_JSON_DEPTH = 1000;

export function jsonParser(maxDepth = MAX_JSON_DEPTH): Parser {
  return (body) => {
    const text = bodyText(body);
    // Nesting deeper than maxDepth needs at least 2 × maxDepth bytes: small bodies skip the scan.
    if (text.length > 2 * maxDepth && nestingExceeds(text, maxDepth)) {
      return { ok: false, error: `JSON nested deeper than ${maxDepth} levels` };
    }
    try {
      return { ok: true, doc: JSON.parse(text) };
    } catch (err) {
      return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
    }
  };
}

/** Whether brackets outside strings nest deeper than `limit`. */
function nestingExceeds(s: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < s.length; i++) {
        const k = s.charCodeAt(i);
        if (k === 0x5c) i++;
        else if (k === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
