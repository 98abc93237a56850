// Compiles small modules the way config load does, and maps documents with a recording report.
import { compileModule } from '../../src/module/compile.js';
import type { CompiledModule } from '../../src/module/plan.js';
import { ModuleSchema } from '../../src/spec/schema.js';
import { mapMetric, type Document, type MapReport } from '../../src/mapping/map.js';
import { SampleSet } from '../../src/metrics/samples.js';

export function compile(spec: unknown): CompiledModule {
  const problems: string[] = [];
  const mod = compileModule('test', ModuleSchema.parse(spec), 'test.yml', (path, message) => {
    problems.push(`${path.map(String).join('.')}: ${message}`);
  });
  if (!mod) throw new Error(`module does not compile:\n${problems.join('\n')}`);
  if (problems.length) throw new Error(`unexpected problems:\n${problems.join('\n')}`);
  return mod;
}

/** A module with one plain request `doc` and the given metrics. */
export function moduleOf(...metrics: unknown[]): CompiledModule {
  return compile({ requests: { doc: { path: '/doc' } }, metrics });
}

export interface Recorded extends MapReport {
  errors: string[];
  skips: string[];
  duplicates: string[];
  limits: string[];
  absents: string[];
}

export function recorder(): Recorded {
  const r: Recorded = {
    errors: [],
    skips: [],
    duplicates: [],
    limits: [],
    absents: [],
    error: (m) => void r.errors.push(m),
    skip: (m) => void r.skips.push(m),
    duplicate: (m) => void r.duplicates.push(m),
    limit: (m) => void r.limits.push(m),
    absent: (m) => void r.absents.push(m),
  };
  return r;
}

/** Maps every metric of the module over the documents of its request. */
export function mapAll(
  mod: CompiledModule,
  docsByRequest: Record<string, Document[]>,
  opts: { maxSeries?: number; set?: SampleSet; report?: Recorded } = {},
): { set: SampleSet; report: Recorded } {
  const set = opts.set ?? new SampleSet(opts.maxSeries);
  const report = opts.report ?? recorder();
  for (const m of mod.metrics) mapMetric(m, docsByRequest[m.from] ?? [], set, report);
  return { set, report };
}

/** Maps the metrics of `moduleOf(...)` over one document of request `doc`. */
export function mapDoc(doc: unknown, ...metrics: unknown[]): { set: SampleSet; report: Recorded } {
  return mapAll(moduleOf(...metrics), { doc: [{ doc, vars: {} }] });
}

/**
 * Series of a sample set as `name{a="x",b="y"}` → value, labels in the order the
 * sample carries them, families and series in insertion order.
 */
export function series(set: SampleSet): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const f of set.families.values()) {
    for (const s of f.samples.values()) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',');
      out.push([labels ? `${f.name}{${labels}}` : f.name, s.value]);
    }
  }
  return out;
}
