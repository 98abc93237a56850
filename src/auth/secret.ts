// A credential: a literal (after ${ENV} expansion at load) or a file re-read when it
// changes, so rotating a password file needs no reload. The value never appears in
// an error message; the file name may.
import { readFile, stat } from 'node:fs/promises';
import { AuthError } from '../fetch/credentials.js';
import type { Report } from './kind.js';

export class Secret {
  private cached: { mtimeMs: number; size: number; value: string } | undefined;

  private constructor(private readonly literal: string | undefined, readonly file: string | undefined) {}

  static literal(value: string): Secret {
    return new Secret(value, undefined);
  }

  static file(path: string): Secret {
    return new Secret(undefined, path);
  }

  async value(): Promise<string> {
    if (this.literal !== undefined) return this.literal;
    const path = this.file!;
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (this.cached && this.cached.mtimeMs === st.mtimeMs && this.cached.size === st.size) return this.cached.value;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    // Files written by editors and `echo` end with a newline that is not part of the secret.
    const value = text.replace(/\r?\n$/, '');
    this.cached = { mtimeMs: st.mtimeMs, size: st.size, value };
    return value;
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Expands ${NAME} from the environment; returns the names that are not set. */
export function expandEnv(text: string, env: NodeJS.ProcessEnv = process.env): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(ENV_REF, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) missing.push(name);
    return v ?? '';
  });
  return { value, missing };
}

/** The secret's value, or an AuthError saying which file could not be read. */
export async function reveal(secret: Secret): Promise<string> {
  try {
    return await secret.value();
  } catch (err) {
    throw new AuthError((err as Error).message);
  }
}

/** A secret from `field` (literal, ${ENV} expanded) or `field_file` (relative to the config). */
export function secretOf(spec: Record<string, unknown>, field: string, resolvePath: (p: string) => string, at: PropertyKey[], report: Report): Secret | undefined {
  const literal = spec[field];
  const file = spec[`${field}_file`];
  if (typeof literal === 'string' && typeof file === 'string') {
    report([...at, `${field}_file`], `give ${field} or ${field}_file, not both`);
    return undefined;
  }
  if (typeof file === 'string') return Secret.file(resolvePath(file));
  if (typeof literal === 'string') {
    const { value, missing } = expandEnv(literal);
    if (missing.length) {
      report([...at, field], `environment variable ${missing.join(', ')} is not set`);
      return undefined;
    }
    return Secret.literal(value);
  }
  report(at, `${field} or ${field}_file is required`);
  return undefined;
}

export function plain(text: string, at: PropertyKey[], report: Report): string | undefined {
  const { value, missing } = expandEnv(text);
  if (missing.length) {
    report(at, `environment variable ${missing.join(', ')} is not set`);
    return undefined;
  }
  return value;
}
