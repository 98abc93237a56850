export type Parsed = { ok: true; doc: unknown } | { ok: false; error: string };
export type Parser = (body: Buffer, contentType: string | undefined) => Parsed;

/** Body text as UTF-8 without a byte-order mark. */
export function bodyText(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
