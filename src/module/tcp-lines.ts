// The `tcp:` block of a request, compiled at load: its lines as templates, each
// parameter checked to have an enum or a pattern, credentials only in login lines.
import type { TcpRequestSpec } from '../spec/schema.js';
import type { CompiledTcp, LineSlot, LineTemplate } from './plan.js';
import type { CompiledParam } from './url-plan.js';

export class TcpSpecError extends Error {
  constructor(readonly field: PropertyKey[], message: string) {
    super(message);
  }
}

const SLOT = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
export const LINE_BREAK = /[\r\n\0]/;

/** Compiles a request's `tcp:` block; throws TcpSpecError naming the field. */
export function compileTcp(spec: TcpRequestSpec, params: ReadonlyMap<string, CompiledParam>): CompiledTcp {
  const used = new Set<string>();
  const line = (source: string, field: PropertyKey[], credentials: boolean): LineTemplate => {
    if (LINE_BREAK.test(source)) throw new TcpSpecError(field, 'a line may not hold CR, LF or NUL (each line is sent as one; eol ends it)');
    const parts: Array<string | LineSlot> = [];
    let last = 0;
    for (const m of source.matchAll(SLOT)) {
      const name = m[1]!;
      if (m.index > last) parts.push(source.slice(last, m.index));
      last = m.index + m[0].length;
      if (name === 'username' || name === 'password') {
        if (!credentials) throw new TcpSpecError(field, `{${name}} is the auth's, only in login lines`);
        parts.push({ credential: name });
        continue;
      }
      const p = params.get(name);
      if (!p) throw new TcpSpecError(field, `{${name}} is not a parameter of the module (params: ${[...params.keys()].join(', ') || 'none'}${credentials ? '; username, password' : ''})`);
      if (!p.test) throw new TcpSpecError(field, `{${name}}: a parameter sent in a TCP line needs an enum or a pattern (a free value could end the line and send a command of its own)`);
      used.add(name);
      parts.push({ param: name });
    }
    if (last < source.length) parts.push(source.slice(last));
    return parts;
  };
  // In the order they are written, so that the first mistake is the one reported.
  const login = spec.login?.map((l, i) => line(l, ['login', i], true));
  const send = spec.send.map((l, i) => line(l, ['send', i], false));
  const until: CompiledTcp['until'] = typeof spec.until === 'object' && 'line' in spec.until ? { line: line(spec.until.line, ['until', 'line'], false) } : spec.until;
  if (spec.quit !== undefined && LINE_BREAK.test(spec.quit)) throw new TcpSpecError(['quit'], 'a line may not hold CR, LF or NUL');
  return {
    port: spec.port,
    tls: spec.tls,
    login,
    send,
    until,
    quit: spec.quit,
    eol: spec.eol,
    errors: spec.errors,
    params: [...used],
  };
}
