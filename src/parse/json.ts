import { bodyText, type Parser } from './types.js';

export function jsonParser(): Parser {
  return (body) => {
    try {
      return { ok: true, doc: JSON.parse(bodyText(body)) };
    } catch (err) {
      return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
    }
  };
}
