// The `target` parameter, checked against what the module allows. A bare host can
// only reach the paths its module names; a URL with a path only where the module
// says `target: { url: true }`.
import { deviceHost } from '../net/address.js';
import { clip } from '../log.js';
import type { CompiledModule } from '../module/plan.js';

export interface ResolvedTarget {
  /** The URL requests are resolved against. */
  base: URL;
  /** Host and port: the key of the per-device limiter. */
  key: string;
}

export class TargetError extends Error {}

const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

export function resolveTarget(raw: string, mod: CompiledModule): ResolvedTarget {
  const target = raw.trim();
  if (!target) throw new TargetError('target parameter is missing');
  const explicit = HAS_SCHEME.test(target);
  let url: URL;
  try {
    url = new URL(explicit ? target : `${mod.scheme}://${target}`);
  } catch {
    throw new TargetError(`target ${JSON.stringify(clip(raw, 100))} is not a valid host[:port] or URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TargetError(`target scheme ${url.protocol.slice(0, -1)} is not supported (http or https)`);
  }
  if (url.username || url.password) throw new TargetError('credentials in the target are not accepted; configure them in the exporter');
  if (!url.hostname) throw new TargetError(`target ${JSON.stringify(clip(raw, 100))} has no host`);
  // DNS names have at most 253 characters; nothing longer can be a device.
  if (url.hostname.length > 253) throw new TargetError(`target host is ${url.hostname.length} characters long; a host name has at most 253`);
  const hasPath = (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '';
  if (hasPath && !mod.allowUrl) {
    throw new TargetError(
      explicit
        ? `module ${mod.name} accepts host[:port] or scheme://host[:port] targets, not URLs with a path or query`
        : `target ${JSON.stringify(clip(raw, 100))} is not a valid host[:port]`,
    );
  }
  if (url.hash) throw new TargetError('target URL must not have a #fragment');
  if (!explicit && mod.port !== undefined && url.port === '') url.port = String(mod.port);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (!hasPath) url.pathname = '/';
  return { base: url, key: `${deviceHost(url.hostname)}:${port}` };
}
