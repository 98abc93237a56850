// What a metric mapping is once compiled: the plan `map.ts` executes on every probe.
// Built by module/compile.ts at load; nothing here is computed per probe.
import type { FamilyType } from '../metrics/samples.js';
import type { Conversion } from './convert.js';
import type { Expr } from './expr.js';
import type { CompiledPath, Condition } from './jsonpath.js';

export type MetricType = FamilyType;

/** One `each` step: the items a path selects, and variables captured on each. */
export interface CompiledStep {
  path: CompiledPath;
  vars: Array<[string, Expr]>;
  /**
   * The list or map the path's last wildcard or filter walks (`$.a.b` for `$.a.b[*]`):
   * a step that matches nothing in an empty one found a device with none of the things,
   * not a path that does not fit.
   */
  container: CompiledPath | undefined;
}

export interface CompiledMetric {
  name: string;
  help: string;
  type: MetricType;
  /** The request whose responses are read. */
  from: string;
  steps: CompiledStep[];
  /** Sorted by name: a fixed order lets the sample set key series without sorting. */
  labels: Array<[string, Expr]>;
  /** The label names every sample carries, in order: the labels', then a stateset's own name. */
  labelNames: string[];
  value: Expr | undefined;
  valueMap: Map<string, number> | undefined;
  ignoreCase: boolean;
  scale: number | undefined;
  regex: RegExp | undefined;
  convert: Conversion;
  states: string[] | undefined;
  /** report: no series from the whole definition is counted and logged (probe_metrics_absent). */
  onMissing: 'report' | 'skip' | 'error';
  /** The sample's timestamp in milliseconds since the epoch, when the module gives one. */
  timestamp: Expr | undefined;
  /** Series only for items where this holds. */
  when: Condition | undefined;
  /** Where the mapping was defined, for logs: `module.metrics[i] (name)`. */
  where: string;
}
