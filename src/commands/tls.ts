// `apiprobe tls accept TARGET` and `apiprobe tls list`: the known hosts of trust:
// first_use (tls.known_hosts_file of apiprobe.yml), edited in place. The running
// exporter reads the file again when a device's key does not match what it holds,
// so an accepted key is in force from the next probe on, without a reload.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { parse } from 'yaml';
import { KnownHosts, type KnownHostsProblem } from '../tls/known-hosts.js';
import { acceptKey } from '../tls/accept.js';
import { identityOf, spkiPin } from '../tls/pins.js';
import { parseDevice } from '../tls/pins-file.js';

export interface CommandResult {
  exitCode: number;
  output: string;
}

/** tls.known_hosts_file of the main configuration file, resolved against its folder. */
async function knownHostsFile(configFile: string): Promise<string> {
  const abs = path.resolve(configFile);
  const text = await readFile(abs, 'utf8');
  const doc = parse(text) as { tls?: { known_hosts_file?: unknown } } | null;
  const file = doc?.tls?.known_hosts_file;
  if (typeof file !== 'string') {
    throw new Error(`${abs} names no tls.known_hosts_file: the exporter keeps its first-use records in memory; accept a key with POST /-/tls/accept?target=…`);
  }
  return path.resolve(path.dirname(abs), file);
}

/** The public key a device presents now (its certificate is not verified: that is the point). */
export function presentedKey(device: string, timeoutMs = 10_000): Promise<string> {
  const i = device.lastIndexOf(':');
  const host = device.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(device.slice(i + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false, servername: isIP(host) ? undefined : host, timeout: timeoutMs }, () => {
      const cert: PeerCertificate = socket.getPeerCertificate(false);
      socket.destroy();
      if (!cert.raw) reject(new Error(`${device} presented no certificate`));
      else resolve(spkiPin(identityOf(cert.raw)));
    });
    socket.once('timeout', () => socket.destroy(new Error(`${device}: no TLS handshake within ${timeoutMs / 1000} s`)));
    socket.once('error', reject);
  });
}

export async function tlsAccept(o: { configFile: string; target: string; pin?: string | undefined }): Promise<CommandResult> {
  const problems: KnownHostsProblem[] = [];
  try {
    const file = await knownHostsFile(o.configFile);
    const device = parseDevice(o.target);
    if (device === undefined) return { exitCode: 2, output: `target ${JSON.stringify(o.target)} is not host:port\n` };
    const store = new KnownHosts(file);
    store.onProblem = (p) => problems.push(p);
    const pin = o.pin ?? (await presentedKey(device));
    const r = acceptKey(store, device, pin);
    if (!r.ok) return { exitCode: 2, output: `${r.message}\n` };
    await store.save();
    if (problems.some((p) => p.line === 0)) return { exitCode: 1, output: problems.map((p) => `${p.file}: ${p.message}\n`).join('') };
    const warnings = store.problems.map((p) => `${p.file}:${p.line}: ${p.message} (line kept as it is)\n`).join('');
    return { exitCode: 0, output: `${warnings}${file}: accepted ${r.pin} for ${r.device}${r.previous ? ` (was ${r.previous})` : ''}\n` };
  } catch (err) {
    return { exitCode: 1, output: `${(err as Error).message}\n` };
  }
}

export async function tlsList(o: { configFile: string }): Promise<CommandResult> {
  try {
    const file = await knownHostsFile(o.configFile);
    const store = new KnownHosts(file);
    const lines = store.list().map((e) => `${e.device} ${e.pin} ${e.seen}\n`);
    const problems = store.problems.map((p) => `${p.file}:${p.line}: ${p.message}\n`);
    return { exitCode: problems.length ? 1 : 0, output: lines.join('') + problems.join('') };
  } catch (err) {
    return { exitCode: 1, output: `${(err as Error).message}\n` };
  }
}
