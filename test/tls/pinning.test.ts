// Certificate pinning and trust on first use, through the exporter, against TLS
// devices on loopback that record every byte they receive after the handshake: a
// refused device must have received nothing (no password, no token).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeries, ROOT, startExporter, tempDir, type TestExporter } from '../helpers/exporter.js';
import { checkMetrics, promtool } from '../helpers/promtool.js';
import { requireProgram } from '../helpers/system.js';
import { expiryOf, startTlsDevice, type TlsDevice } from '../helpers/tls-device.js';
import { opensslSpkiPin, selfSigned, type SelfSigned } from '../helpers/tls.js';

const openssl = requireProgram('openssl', 'apt-get install -y openssl');

const PASSWORD = 's3cret-password';
/** base64 of admin:s3cret-password, as a Basic Authorization header carries it. */
const BASIC = Buffer.from(`admin:${PASSWORD}`).toString('base64');

const spkiPin = opensslSpkiPin;
/** SHA-256 of the certificate, AB:CD:… as openssl prints it. */
function certFingerprint(cert: SelfSigned): string {
  return execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert.certFile]).toString().trim().split('=')[1]!;
}

function reasonOf(text: string): string {
  return text.slice(0, text.indexOf('Metrics that would have been returned'));
}

function metricsOf(debugText: string): Map<string, number> {
  return parseSeries(debugText.slice(debugText.indexOf('Metrics that would have been returned')).split('\n').slice(1).join('\n'));
}

let certA: SelfSigned;
let certB: SelfSigned;
let dir: string;
let configFile: string;
let knownHostsFile: string;
let pinsFile: string;
const devices: Record<'pinned' | 'tofu' | 'byFile' | 'open', TlsDevice> = {} as never;
let exporter: TestExporter;

function config(): string {
  return `
tls:
  known_hosts_file: known_hosts
  pins_file: pins.yml
auths:
  admin: { basic: { username: admin, password: ${PASSWORD} } }
  login:
    session:
      username: admin
      password: ${PASSWORD}
      login: { path: /login, json: { user: '{username}', pass: '{password}' } }
      token: { header: X-Auth-Token }
      use: { header: X-Auth-Token }
  pinned_admin: { basic: { username: admin, password: ${PASSWORD} }, tls: { pins: ['${spkiPin(certB)}'] } }
modules:
  pinned: { target: { scheme: https }, tls: { pins: ['${certFingerprint(certA)}'] }, auth: admin, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  tofu: { target: { scheme: https }, tls: { trust: first_use }, auth: login, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  by_file: { target: { scheme: https }, auth: admin, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  insecure: { target: { scheme: https }, tls: { insecure_skip_verify: true }, auth: admin, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  pin_and_ca: { target: { scheme: https }, tls: { pins: ['${spkiPin(certA)}'], ca_file: ${certA.certFile} }, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  pin_wrong_ca: { target: { scheme: https }, tls: { pins: ['${spkiPin(certA)}'], ca_file: ${certB.certFile} }, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
`;
}

beforeAll(async () => {
  if (openssl.skipReason) return;
  [certA, certB] = await Promise.all([selfSigned('device-a'), selfSigned('device-b')]);
  for (const name of ['pinned', 'tofu', 'byFile', 'open'] as const) devices[name] = await startTlsDevice(certA);
  dir = await tempDir();
  configFile = path.join(dir, 'apiprobe.yml');
  knownHostsFile = path.join(dir, 'known_hosts');
  pinsFile = path.join(dir, 'pins.yml');
  await writeFile(pinsFile, `${devices.byFile.address}: ${spkiPin(certA)}\n`);
  await writeFile(configFile, config());
  exporter = await startExporter({ configFile });
});

afterAll(async () => {
  if (openssl.skipReason) return;
  await exporter.close();
  await Promise.all(Object.values(devices).map((d) => d.close()));
});

describe('pins', () => {
  it('a pinned device answers, and the probe says it was verified by its pin', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.pinned;
    d.clear();
    const r = await exporter.probe({ module: 'pinned', target: d.address });
    const s = parseSeries(r.text);
    expect(s.get('dev_up')).toBe(1);
    expect(s.get('probe_tls_verification_info{mode="pin"}')).toBe(1);
    expect(s.get('probe_tls_cert_expiry_timestamp_seconds')).toBe(expiryOf(certA));
    expect(d.received()).toContain(`authorization: Basic ${BASIC}`);
    if (!promtool.skipReason) expect((await checkMetrics(r.text)).lines).toEqual([]);
    // OpenMetrics has an info type: the family is named without its _info suffix.
    const om = await exporter.probe({ module: 'pinned', target: d.address }, { accept: 'application/openmetrics-text; version=1.0.0' });
    expect(om.text).toContain('# TYPE probe_tls_verification info\nprobe_tls_verification_info{mode="pin"} 1\n');
  });

  it('the same address with another key is refused before any credential is written', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.pinned;
    d.present(certB);
    d.clear();
    const r = await exporter.probe({ module: 'pinned', target: d.address, debug: 'true' });
    expect(metricsOf(r.text).get('probe_success')).toBe(0);
    expect(reasonOf(r.text)).toContain(`the certificate of ${d.address} matches no pin of tls.pins of module pinned`);
    expect(reasonOf(r.text)).toContain(spkiPin(certB));
    expect(reasonOf(r.text)).toContain('credentials were not sent');
    // A connection was made (the reason quotes the key it presented), and not one byte was written on it.
    expect(d.connections).toBeGreaterThan(0);
    expect(d.received()).toBe('');
    expect(metricsOf(r.text).has('probe_tls_verification_info{mode="pin"}')).toBe(false);
    d.present(certA);
  });

  it('an auth\'s pins keep its credentials from a device that does not match them, whatever the module says', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.open;
    d.clear();
    const r = await exporter.probe({ module: 'insecure', target: d.address, auth: 'pinned_admin', debug: 'true' });
    expect(metricsOf(r.text).get('probe_success')).toBe(0);
    expect(reasonOf(r.text)).toContain('matches no pin of tls.pins of auth pinned_admin');
    expect(d.received()).toBe('');
  });

  it('pin and CA: both must hold', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.open;
    expect(parseSeries((await exporter.probe({ module: 'pin_and_ca', target: d.address })).text).get('dev_up')).toBe(1);
    d.clear();
    const r = await exporter.probe({ module: 'pin_wrong_ca', target: d.address, debug: 'true' });
    expect(metricsOf(r.text).get('probe_success')).toBe(0);
    expect(reasonOf(r.text)).toMatch(/self-signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i);
    expect(d.received()).toBe('');
  });

  it('the pins file pins a device for every module, and is read again on reload', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.byFile;
    // A self-signed device, no CA: the pin alone decides.
    const ok = parseSeries((await exporter.probe({ module: 'by_file', target: d.address })).text);
    expect(ok.get('dev_up')).toBe(1);
    expect(ok.get('probe_tls_verification_info{mode="pin"}')).toBe(1);
    await writeFile(pinsFile, `${d.address}: ['${certFingerprint(certB)}']\n`);
    await exporter.reload();
    d.clear();
    const r = await exporter.probe({ module: 'by_file', target: d.address, debug: 'true' });
    expect(metricsOf(r.text).get('probe_success')).toBe(0);
    expect(reasonOf(r.text)).toContain(`matches no pin of ${pinsFile} (${d.address})`);
    expect(d.received()).toBe('');
    await writeFile(pinsFile, `${d.address}: ${spkiPin(certA)}\n`);
    await exporter.reload();
  });
});

describe('insecure_skip_verify with credentials', () => {
  it('is counted per module in /metrics, said in the probe, and warned about once at startup', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const r = await exporter.probe({ module: 'insecure', target: devices.open.address });
    expect(parseSeries(r.text).get('probe_tls_verification_info{mode="none"}')).toBe(1);
    const metrics = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(parseSeries(metrics).get('apiprobe_insecure_credential_probes_total{module="insecure"}')).toBe(1);
    expect(parseSeries(metrics).has('apiprobe_insecure_credential_probes_total{module="pinned"}')).toBe(false);
    const warnings = exporter.logs.filter((l) => l.includes('insecure_skip_verify') && l.includes('module=insecure'));
    expect(warnings).toHaveLength(1);
    expect(exporter.logs.some((l) => l.includes('insecure_skip_verify') && l.includes('module=pinned'))).toBe(false);
    if (!promtool.skipReason) expect((await checkMetrics(metrics)).lines).toEqual([]);
  });
});

describe('trust on first use', () => {
  const line = (address: string, cert: SelfSigned): RegExp => new RegExp(`^${address.replaceAll('.', '\\.')} ${spkiPin(cert).replaceAll('+', '\\+').replaceAll('/', '\\/')} \\S+$`, 'm');

  it('records the first key, keeps it over a reload, and refuses a changed key with how to accept it', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.tofu;
    d.clear();
    const first = await exporter.probe({ module: 'tofu', target: d.address });
    expect(parseSeries(first.text).get('dev_up')).toBe(1);
    expect(d.received()).toContain(`"pass":"${PASSWORD}"`);
    expect(parseSeries(first.text).get('probe_tls_verification_info{mode="first_use"}')).toBe(1);
    if (!promtool.skipReason) expect((await checkMetrics(first.text)).lines).toEqual([]);
    await expect.poll(() => readFile(knownHostsFile, 'utf8'), { timeout: 5000 }).toMatch(line(d.address, certA));
    const recorded = await readFile(knownHostsFile, 'utf8');

    await exporter.reload();
    expect(parseSeries((await exporter.probe({ module: 'tofu', target: d.address })).text).get('dev_up')).toBe(1);
    expect(await readFile(knownHostsFile, 'utf8')).toBe(recorded);

    d.present(certB);
    d.clear();
    const r = await exporter.probe({ module: 'tofu', target: d.address, debug: 'true' });
    expect(metricsOf(r.text).get('probe_success')).toBe(0);
    const reason = reasonOf(r.text);
    expect(reason).toContain(`the public key of ${d.address} changed: it presented ${spkiPin(certB)}, ${spkiPin(certA)} was recorded`);
    expect(reason).toContain(`apiprobe tls accept ${d.address}`);
    expect(reason).toContain(`POST /-/tls/accept?target=${d.address}`);
    // The login (with the password) never went out.
    expect(d.connections).toBeGreaterThan(0);
    expect(d.received()).toBe('');
  });

  it('apiprobe tls accept TARGET records the key the device presents now; the next probe succeeds', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.tofu;
    // Not execFileSync: the device answering the command runs in this process.
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'tls', 'accept', d.address, '--config.file', configFile], { cwd: ROOT });
    expect(out).toContain(`accepted ${spkiPin(certB)} for ${d.address} (was ${spkiPin(certA)})`);
    expect(await readFile(knownHostsFile, 'utf8')).toMatch(line(d.address, certB));
    d.clear();
    expect(parseSeries((await exporter.probe({ module: 'tofu', target: d.address })).text).get('dev_up')).toBe(1);
    expect(d.received()).toContain('x-auth-token: session-token-1');
  });

  it('POST /-/tls/accept accepts the key last refused; the next probe succeeds', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.tofu;
    d.present(certA);
    expect(metricsOf((await exporter.probe({ module: 'tofu', target: d.address, debug: 'true' })).text).get('probe_success')).toBe(0);
    const res = await fetch(`${exporter.url}/-/tls/accept?target=${d.address}`, { method: 'POST' });
    expect(await res.text()).toBe(`accepted ${spkiPin(certA)} for ${d.address} (was ${spkiPin(certB)})\n`);
    expect(res.status).toBe(200);
    expect(parseSeries((await exporter.probe({ module: 'tofu', target: d.address })).text).get('dev_up')).toBe(1);
    expect(await readFile(knownHostsFile, 'utf8')).toMatch(line(d.address, certA));
    const unknown = await fetch(`${exporter.url}/-/tls/accept?target=127.0.0.1:1`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('the known hosts file survives a restart', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = devices.tofu;
    const before = await readFile(knownHostsFile, 'utf8');
    await exporter.close();
    exporter = await startExporter({ configFile });
    expect(parseSeries((await exporter.probe({ module: 'tofu', target: d.address })).text).get('dev_up')).toBe(1);
    expect(await readFile(knownHostsFile, 'utf8')).toBe(before);
    d.present(certB);
    d.clear();
    const r = await exporter.probe({ module: 'tofu', target: d.address, debug: 'true' });
    expect(reasonOf(r.text)).toContain(`the public key of ${d.address} changed`);
    expect(d.received()).toBe('');
    d.present(certA);
  });
});

describe('a corrupted known hosts file', () => {
  it('is reported by file and line; the valid lines stay in force and every line is kept', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const [good, broken, fresh] = await Promise.all([startTlsDevice(certA), startTlsDevice(certA), startTlsDevice(certA)]);
    const own = await tempDir();
    const file = path.join(own, 'known_hosts');
    const text = [
      '# written by hand',
      `${good.address} ${spkiPin(certA)} 2026-01-01T00:00:00Z`,
      'this line is garbage',
      `${broken.address} not-a-fingerprint`,
      '',
    ].join('\n');
    await writeFile(file, text);
    await writeFile(path.join(own, 'apiprobe.yml'), `
tls: { known_hosts_file: known_hosts }
modules:
  tofu: { target: { scheme: https }, tls: { trust: first_use }, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
`);
    const other = await startExporter({ configFile: path.join(own, 'apiprobe.yml') });
    try {
      const errors = other.logs.filter((l) => l.includes('known hosts'));
      expect(errors.some((l) => l.includes(`file=${file}`) && l.includes('line=3') && l.includes('is not a device'))).toBe(true);
      expect(errors.some((l) => l.includes('line=4') && l.includes('not a fingerprint'))).toBe(true);
      // The valid line is in force: the device answers, and is not recorded anew.
      expect(parseSeries((await other.probe({ module: 'tofu', target: good.address })).text).get('dev_up')).toBe(1);
      // The device whose line is broken is refused, not recorded anew.
      const r = await other.probe({ module: 'tofu', target: broken.address, debug: 'true' });
      expect(reasonOf(r.text)).toContain(`the known hosts entry of ${broken.address} is not valid (${file}:4:`);
      expect(broken.received()).toBe('');
      // A new device is recorded; the file keeps every other line.
      expect(parseSeries((await other.probe({ module: 'tofu', target: fresh.address })).text).get('dev_up')).toBe(1);
      await expect.poll(() => readFile(file, 'utf8'), { timeout: 5000 }).toContain(fresh.address);
      const after = await readFile(file, 'utf8');
      expect(after).toContain(`${good.address} ${spkiPin(certA)} 2026-01-01T00:00:00Z\n`);
      expect(after).toContain('this line is garbage\n');
      expect(after).toContain(`${broken.address} not-a-fingerprint\n`);
      // `apiprobe tls list` says the same.
      const { tlsList } = await import('../../src/commands/tls.js');
      const listed = await tlsList({ configFile: path.join(own, 'apiprobe.yml') });
      expect(listed.exitCode).toBe(1);
      expect(listed.output).toContain(`${file}:3: "this" is not a device (host:port)`);
    } finally {
      await other.close();
      await Promise.all([good, broken, fresh].map((d) => d.close()));
    }
  });
});

describe('without a known hosts file', () => {
  it('keeps the records in memory over a reload, and says so when a key changed', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const d = await startTlsDevice(certA);
    const own = await tempDir();
    await writeFile(path.join(own, 'apiprobe.yml'), `
modules:
  tofu: { target: { scheme: https }, tls: { trust: first_use }, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
`);
    const other = await startExporter({ configFile: path.join(own, 'apiprobe.yml') });
    try {
      expect(parseSeries((await other.probe({ module: 'tofu', target: d.address })).text).get('dev_up')).toBe(1);
      await other.reload();
      d.present(certB);
      const r = await other.probe({ module: 'tofu', target: d.address, debug: 'true' });
      expect(reasonOf(r.text)).toContain('the records are in memory: no tls.known_hosts_file');
      const res = await fetch(`${other.url}/-/tls/accept?target=${d.address}`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(parseSeries((await other.probe({ module: 'tofu', target: d.address })).text).get('dev_up')).toBe(1);
    } finally {
      await other.close();
      await d.close();
    }
  });
});

describe('the shipped redfish module', () => {
  it('works with a self-signed BMC on the first probe, and gives an impostor at its address nothing', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const { startDevice } = await import('../sim/devices.js');
    const { catalogDevice } = await import('../helpers/modules.js');
    const bmc = await startDevice(catalogDevice('dmtf-rackmount'));
    const front = await startTlsDevice(certA, Number(bmc.address.split(':')[1]));
    const own = await tempDir();
    await writeFile(path.join(own, 'apiprobe.yml'), `
include: ['${ROOT}/modules/redfish.yml']
auths:
  bmc: { basic: { username: admin, password: ${PASSWORD} } }
`);
    const other = await startExporter({ configFile: path.join(own, 'apiprobe.yml') });
    try {
      const first = parseSeries((await other.probe({ module: 'redfish', target: front.address, auth: 'bmc' })).text);
      expect(first.get('probe_success')).toBe(1);
      expect(first.get('probe_tls_verification_info{mode="first_use"}')).toBe(1);
      expect(front.received()).toContain(`authorization: Basic ${BASIC}`);
      front.present(certB);
      front.clear();
      const r = await other.probe({ module: 'redfish', target: front.address, auth: 'bmc', debug: 'true' });
      expect(metricsOf(r.text).get('probe_success')).toBe(0);
      expect(reasonOf(r.text)).toContain(`the public key of ${front.address} changed`);
      expect(front.connections).toBeGreaterThan(0);
      expect(front.received()).toBe('');
    } finally {
      await other.close();
      await front.close();
      await bmc.close();
    }
  });
});

describe('POST /-/tls/accept', () => {
  it('is protected as /-/reload is, by the basic auth of --web.config.file', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const bcrypt = (await import('bcryptjs')).default;
    const own = await tempDir();
    const hash = (await bcrypt.hash('s3cret-pass', 4)).replace(/^\$2b\$/, '$2y$');
    await writeFile(path.join(own, 'web.yml'), `basic_auth_users:\n  ops: '${hash}'\n`);
    const other = await startExporter({ webConfigFile: path.join(own, 'web.yml'), configYaml: 'modules: {}\n' });
    try {
      const url = `${other.url}/-/tls/accept?target=10.0.0.1:443&pin=${encodeURIComponent(spkiPin(certA))}`;
      for (const endpoint of [url, `${other.url}/-/reload`]) expect((await fetch(endpoint, { method: 'POST' })).status).toBe(401);
      expect(other.config.trust.knownHosts.get('10.0.0.1:443')).toBeUndefined();
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('ops:s3cret-pass').toString('base64')}` } });
      expect(await res.text()).toBe(`accepted ${spkiPin(certA)} for 10.0.0.1:443\n`);
      expect(other.config.trust.knownHosts.get('10.0.0.1:443')).toBe(spkiPin(certA));
      const bad = await fetch(`${other.url}/-/tls/accept?target=10.0.0.1:443&pin=${certFingerprint(certA)}`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('ops:s3cret-pass').toString('base64')}` } });
      expect(bad.status).toBe(400);
    } finally {
      await other.close();
    }
  });
});
