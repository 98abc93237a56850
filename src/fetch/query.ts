// Adding a parameter to a URL's query without rewriting the rest of it. URLSearchParams
// re-serialises the whole query as a form (`?stats;csv` becomes `?stats%3Bcsv=`, `?auto`
// becomes `?auto=`), and status pages read their query as written: HAProxy's
// `stats;csv`, Apache's `?auto`. What the module wrote stays byte for byte; only the
// new pair is appended (and earlier pairs of the same name removed, as `set` would).
export function withQueryParam(url: URL, name: string, value: string): URL {
  const out = new URL(url);
  const pair = `${encodeQuery(name)}=${encodeQuery(value)}`;
  const kept = out.search.length > 1 ? out.search.slice(1).split('&').filter((part) => part !== '' && decodedName(part) !== name) : [];
  kept.push(pair);
  out.search = `?${kept.join('&')}`;
  return out;
}

/** Appends name=value to the query as it stands. */
export function appendQueryParam(url: URL, name: string, value: string): void {
  const pair = `${encodeQuery(name)}=${encodeQuery(value)}`;
  url.search = url.search.length > 1 ? `${url.search}&${pair}` : `?${pair}`;
}

// encodeURIComponent leaves !'()* as they are: harmless in a query, and what most
// servers expect; space is %20 (not +), which every query parser reads as a space.
function encodeQuery(s: string): string {
  return encodeURIComponent(s);
}

function decodedName(part: string): string {
  const raw = part.split('=', 1)[0]!;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}
