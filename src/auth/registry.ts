// The kinds of credentials, one file each, and the one list of them: an `auths:`
// entry compiles through the kind whose key it holds, and the exporter's own metrics
// are read from the kinds that declare them. A new kind touches its schema fragment
// (AuthSchema in spec/schema.ts), its own file, and one line here; the compiler refuses
// a schema key without its kind below.
import { HostMatcher, RuleError } from '../fetch/guard.js';
import { compileTransport, TransportError, type Transport } from '../fetch/transport.js';
import type { Auth } from '../fetch/credentials.js';
import type { AuthSpec } from '../spec/schema.js';
import { apiKey } from './api-key.js';
import { basic } from './basic.js';
import { bearer } from './bearer.js';
import { clientCertAuth } from './client-cert.js';
import { digest } from './digest.js';
import type { AuthKind, CompileContext, CredentialKey, KindMetrics, Report } from './kind.js';
import { oauth2 } from './oauth2.js';
import { session } from './session.js';

/** In the order an auth's problems name them. */
const KINDS: { readonly [K in CredentialKey]: AuthKind<K> } = { basic, digest, bearer, api_key: apiKey, session, oauth2 };

const KEYS = Object.keys(KINDS) as CredentialKey[];

/** The exporter's own metrics each kind keeps. */
export const KIND_METRICS: ReadonlyArray<{ kind: CredentialKey; metrics: KindMetrics }> = KEYS.flatMap((k) => {
  const metrics = KINDS[k].metrics;
  return metrics ? [{ kind: k, metrics }] : [];
});

function compileKind<K extends CredentialKey>(key: K, spec: AuthSpec, ctx: CompileContext): Auth | undefined {
  const kind: AuthKind<K> = KINDS[key];
  return kind.compile(spec[key]!, ctx);
}

export function compileAuth(name: string, spec: AuthSpec, resolvePath: (p: string) => string, report: Report): Auth | undefined {
  const kinds = KEYS.filter((k) => spec[k] !== undefined);
  // A client certificate alone (tls: with cert_file and key_file) is credentials too.
  if (kinds.length !== 1 && !(kinds.length === 0 && (spec.tls?.cert_file !== undefined || spec.tls?.cert !== undefined))) {
    report([], kinds.length ? `one kind of credentials per auth, not ${kinds.join(' and ')}` : `needs one of ${KEYS.join(', ')}, or a client certificate (tls: cert_file and key_file, or cert and key)`);
    return undefined;
  }
  let targets: HostMatcher | undefined;
  if (spec.targets) {
    try {
      targets = new HostMatcher(spec.targets);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      report(['targets'], err.message);
      return undefined;
    }
  }
  let transport: Transport | undefined;
  if (spec.tls) {
    try {
      transport = compileTransport(spec.tls, undefined, resolvePath, false, `auth ${name}`);
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      report(['tls', err.field, ...(err.index === undefined ? [] : [err.index])], err.message);
      return undefined;
    }
  }
  const base = { name, targets, transport };
  const key = kinds[0];
  return key === undefined ? clientCertAuth(base) : compileKind(key, spec, { base, resolvePath, report });
}
