/** One problem in a configuration file, located precisely enough to jump to it. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field, e.g. `modules.redfish.metrics[2].value`. */
  field: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.field || '(document)'}: ${p.message}`;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

// Keys that would make the dotted path ambiguous (dots, spaces, brackets…) are quoted:
// `modules["my.module"].timeout`.
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (!PLAIN_KEY.test(String(key))) out += `[${JSON.stringify(String(key))}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
