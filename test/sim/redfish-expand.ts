// Redfish $expand as DSP0266 (7.3) specifies it, for the simulated services (test/sim)
// and the benchmark's upstream: `*` expands every reference, `.` the subordinate ones
// (collection members, a resource's own sub-resources: not those under Links), `~`
// those under Links; `($levels=n)` goes n levels deep, 1 without it.

export type ExpandWhich = '*' | '.' | '~';

/** `*`, `.` or `~`, with `($levels=n)` or not; undefined when it is none of these. */
export function parseExpand(value: string): { which: ExpandWhich; levels: number } | undefined {
  const m = /^([*.~])(?:\(\$levels=([1-6])\))?$/.exec(value);
  return m ? { which: m[1] as ExpandWhich, levels: m[2] ? Number(m[2]) : 1 } : undefined;
}

/** A reference to a resource: an object with `@odata.id` and nothing else but annotations. */
function isReference(v: unknown): v is { '@odata.id': string } {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof (v as Record<string, unknown>)['@odata.id'] !== 'string') return false;
  return Object.keys(v).every((k) => k.startsWith('@'));
}

/**
 * `doc` with the references it holds replaced by the resources they name (`lookup` of
 * their `@odata.id`), `levels` deep; a reference to a resource the service has not stays
 * a reference.
 */
export async function expandRedfish(
  doc: unknown,
  lookup: (id: string) => Promise<Record<string, unknown> | undefined>,
  which: ExpandWhich,
  levels: number,
  inLinks = false,
): Promise<unknown> {
  if (Array.isArray(doc)) return Promise.all(doc.map((v) => expandRedfish(v, lookup, which, levels, inLinks)));
  if (doc === null || typeof doc !== 'object') return doc;
  if (isReference(doc)) {
    const wanted = which === '*' || (which === '.' ? !inLinks : inLinks);
    if (!wanted) return doc;
    const target = await lookup(doc['@odata.id']);
    if (!target) return doc;
    return levels > 1 ? expandRedfish(target, lookup, which, levels - 1) : target;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) out[k] = await expandRedfish(v, lookup, which, levels, inLinks || k === 'Links');
  return out;
}
