// "did you mean" for a name that is not known: a mistyped module name in a probe URL
// gets the names it is probably a typo of, rather than a bare "unknown".

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), giving up past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // Three rows of the optimal-string-alignment table: names are short, so this is cheap.
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    before = prev;
    prev = row;
  }
  return Math.min(prev[b.length]!, max + 1);
}

/**
 * The known names `name` is most likely a typo of (at most three, closest first), as
 * " (did you mean "a"?)"; with none close, the known names themselves when they are few
 * (" (known: a, b)"); else nothing.
 */
export function suggestion(name: string, known: Iterable<string>): string {
  const names = [...known];
  const lower = name.toLowerCase();
  // A third of the name may be wrong, at least one character: "cofee" → "coffee", not "nosuch" → "monit".
  const max = Math.max(1, Math.floor(name.length / 3));
  const close = names
    .map((k) => ({ k, d: editDistance(lower, k.toLowerCase(), max) }))
    .filter((c) => c.d <= max)
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .slice(0, 3)
    .map((c) => JSON.stringify(c.k));
  if (close.length) return ` (did you mean ${close.length === 1 ? close[0] : `${close.slice(0, -1).join(', ')} or ${close.at(-1)}`}?)`;
  if (names.length > 0 && names.length <= 5) return ` (known: ${names.sort().join(', ')})`;
  return '';
}
